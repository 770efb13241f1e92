/* Care-mode switch without a page reload; the link works on its own without JavaScript. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-care-toggle]");
    if (!toggle) { return; }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var root = document.documentElement;
      var on = !root.classList.contains("care-mode");
      root.classList.toggle("care-mode", on);
      document.cookie = on ? "care_mode=1; path=/; max-age=31536000; SameSite=Lax"
                           : "care_mode=; path=/; max-age=0; SameSite=Lax";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? "退出关怀模式" : "关怀模式";
      toggle.setAttribute("href", toggle.getAttribute("href").replace(/on=[01]/, "on=" + (on ? "0" : "1")));
    });
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); toggle.click(); }
    });
  });
})();
