/* Progressive enhancements of the portal pages; every page works without them.
   - the care-mode switch without a page reload (the link is the switch itself without JS);
   - the home carousel: one slide at a time with controls; it advances on its own only outside
     关怀模式, without prefers-reduced-motion, and never while pointed at or focused. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function careMode() { return root.classList.contains("care-mode"); }

  function setupCareToggle() {
    var toggle = document.querySelector("[data-care-toggle]");
    if (!toggle) { return; }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var on = !careMode();
      root.classList.toggle("care-mode", on);
      document.cookie = on ? "care_mode=1; path=/; max-age=31536000; SameSite=Lax"
                           : "care_mode=; path=/; max-age=0; SameSite=Lax";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "退出关怀模式" : "关怀模式";
      toggle.setAttribute("href", toggle.getAttribute("href").replace(/on=[01]/, "on=" + (on ? "0" : "1")));
      document.dispatchEvent(new CustomEvent("caremodechange", { detail: { on: on } }));
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }
    });
  }

  function setupCarousel(carousel) {
    var slides = Array.prototype.slice.call(carousel.querySelectorAll("[data-slide]"));
    var controls = carousel.querySelector(".carousel-controls");
    var status = carousel.querySelector("[data-carousel-status]");
    var toggle = carousel.querySelector("[data-carousel-toggle]");
    var interval = Math.max(1, parseInt(carousel.getAttribute("data-interval"), 10) || 6) * 1000;
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var current = 0, timer = null, stoppedByUser = false, hovered = false, focused = false;
    if (!slides.length) { return; }
    carousel.setAttribute("data-current", "0");

    function show(index) {
      current = (index + slides.length) % slides.length;
      slides.forEach(function (slide, i) {
        slide.classList.toggle("is-current", i === current);
        slide.setAttribute("aria-hidden", i === current ? "false" : "true");
        Array.prototype.forEach.call(slide.querySelectorAll("a"), function (link) {
          if (i === current) { link.removeAttribute("tabindex"); } else { link.setAttribute("tabindex", "-1"); }
        });
      });
      carousel.setAttribute("data-current", String(current));
      if (status) { status.textContent = (current + 1) + " / " + slides.length; }
    }
    function mayMove() { return slides.length > 1 && !careMode() && !reduced && !stoppedByUser && !hovered && !focused; }
    function schedule() {
      window.clearTimeout(timer);
      timer = null;
      if (mayMove()) { timer = window.setTimeout(function () { show(current + 1); schedule(); }, interval); }
      var playing = timer !== null;
      carousel.setAttribute("data-playing", playing ? "true" : "false");
      // Screen readers hear slide changes only when the user makes them.
      carousel.querySelector(".carousel-slides").setAttribute("aria-live", playing ? "off" : "polite");
      if (toggle) {
        toggle.textContent = stoppedByUser || careMode() || reduced ? "播放" : "暂停";
        toggle.setAttribute("aria-pressed", stoppedByUser ? "true" : "false");
        toggle.disabled = careMode() || reduced || slides.length < 2;
      }
    }
    if (slides.length > 1 && controls) { controls.hidden = false; }
    carousel.querySelector("[data-carousel-prev]").addEventListener("click", function () { show(current - 1); schedule(); });
    carousel.querySelector("[data-carousel-next]").addEventListener("click", function () { show(current + 1); schedule(); });
    if (toggle) {
      toggle.addEventListener("click", function () { stoppedByUser = !stoppedByUser; schedule(); });
    }
    carousel.addEventListener("mouseenter", function () { hovered = true; schedule(); });
    carousel.addEventListener("mouseleave", function () { hovered = false; schedule(); });
    carousel.addEventListener("focusin", function () { focused = true; schedule(); });
    carousel.addEventListener("focusout", function (event) {
      if (!carousel.contains(event.relatedTarget)) { focused = false; schedule(); }
    });
    document.addEventListener("caremodechange", schedule);
    show(0);
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCareToggle();
    Array.prototype.forEach.call(document.querySelectorAll("[data-carousel]"), setupCarousel);
  });
})();
