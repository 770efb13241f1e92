// 互动交流: image captcha and SMS code requests through the JSON API (/api/v1/sms/…).
(function () {
  "use strict";
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }
  function setup(box) {
    var image = box.querySelector("[data-captcha-image]");
    var key = box.querySelector("[data-captcha-key]");
    var status = box.querySelector("[data-sms-status]");
    var send = box.querySelector("[data-sms-send]");
    function refresh() {
      post("/api/v1/sms/captchas").then(function (res) {
        if (res.ok) { image.src = "data:image/png;base64," + res.data.image_base64; key.value = res.data.captcha_key; }
      });
    }
    box.querySelector("[data-captcha-refresh]").addEventListener("click", refresh);
    send.addEventListener("click", function () {
      var phone = document.getElementById(box.dataset.phone);
      var answer = box.querySelector("input[name=captcha_answer]");
      status.textContent = "正在发送……";
      post("/api/v1/sms/codes", { phone: phone ? phone.value : "", purpose: box.dataset.purpose, captcha_key: key.value, captcha_answer: answer ? answer.value : "" })
        .then(function (res) {
          status.textContent = res.ok ? "验证码已发送，5分钟内有效。" : res.data.message;
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
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-sms]"), setup);
  });
})();
