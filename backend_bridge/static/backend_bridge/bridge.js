// 互动交流 forms, as progressive enhancement (every form works without this file):
// the error summary takes the focus, text fields count the characters left, the image captcha
// and SMS code requests go through the JSON API (/api/v1/sms/…), the query code can be copied.
(function () {
  "use strict";
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }
  function careMode() { return document.documentElement.classList.contains("care-mode"); }

  // GOV.UK's error summary: focused on load so that screen readers and phone users land on it;
  // a link moves to its field and brings the field's label into view with it.
  function setupSummary(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var box = input.closest(".bb-field") || input;
      box.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // The remaining-characters counter: the server's limit is the field's maxlength.
  function setupCounter(box) {
    var input = box.querySelector("[data-limit]");
    var count = box.querySelector("[data-count]");
    if (!input || !count) { return; }
    var limit = parseInt(input.getAttribute("data-limit"), 10);
    var last = null;
    function update() {
      var left = limit - input.value.length;
      var text = left >= 0 ? "还可以输入 " + left + " 个字" : "已超出 " + (-left) + " 个字";
      if (text !== last) { count.textContent = text + "（最多 " + limit + " 个字）"; last = text; }
      count.classList.toggle("bb-count-over", left < 0);
      count.classList.toggle("bb-count-near", left >= 0 && left < Math.max(10, limit / 10));
    }
    count.setAttribute("aria-live", "polite");
    input.addEventListener("input", update);
    update();
  }

  function setupSms(box) {
    var image = box.querySelector("[data-captcha-image]");
    var key = box.querySelector("[data-captcha-key]");
    var status = box.querySelector("[data-sms-status]");
    var dev = box.querySelector("[data-sms-dev]");
    var send = box.querySelector("[data-sms-send]");
    function refresh() {
      post("/api/v1/sms/captchas" + (careMode() ? "?large=true" : "")).then(function (res) {
        if (res.ok) {
          image.src = "data:image/png;base64," + res.data.image_base64;
          image.width = res.data.width; image.height = res.data.height;
          key.value = res.data.captcha_key;
        } else { status.textContent = res.data.message; }
      });
    }
    box.querySelector("[data-captcha-refresh]").addEventListener("click", refresh);
    send.addEventListener("click", function () {
      var phone = document.getElementById(box.dataset.phone);
      var answer = box.querySelector("input[name=captcha_answer]");
      status.textContent = "正在发送……";
      post("/api/v1/sms/codes", { phone: phone ? phone.value : "", purpose: box.dataset.purpose, captcha_key: key.value, captcha_answer: answer ? answer.value : "" })
        .then(function (res) {
          status.textContent = res.ok ? "验证码已发送，" + Math.round(res.data.expires_in / 60) + "分钟内有效。" : res.data.message;
          if (res.ok && res.data.dev_notice) {
            dev.textContent = "开发环境提示（控制台短信通道，短信没有真正发出）：" + res.data.dev_notice;
            dev.hidden = false;
          }
          if (res.ok) {
            var left = 60; send.disabled = true;
            var timer = setInterval(function () { left -= 1; send.textContent = left + "秒后可重新获取"; if (left <= 0) { clearInterval(timer); send.disabled = false; send.textContent = "获取短信验证码"; } }, 1000);
          }
          if (answer) { answer.value = ""; }
          refresh();
        })
        .catch(function () { status.textContent = "网络异常，请稍后再试。"; });
    });
    refresh();
  }

  function setupCopy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var said = document.getElementById(button.getAttribute("data-copy-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () { said.textContent = "查询码已复制，可以粘贴到备忘录或发给自己保存。"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { select(source); });
      } else { select(source); said.textContent = "已选中查询码，请长按或按 Ctrl+C 复制。"; }
    });
  }
  function select(node) {
    var range = document.createRange(); range.selectNodeContents(node);
    var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { setupSummary(summary); }
    Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), setupCounter);
    Array.prototype.forEach.call(document.querySelectorAll("[data-sms]"), setupSms);
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), setupCopy);
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
