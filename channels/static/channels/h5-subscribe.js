// 订阅通知: WeChat's open tag <wx-open-subscribe> asks the citizen; the templates they accepted
// are posted to the server with the page's own form (which, outside WeChat, is the whole offer).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-notice-offer]");
    var data = document.getElementById("wx-config");
    if (!box || !data || !window.wx) { return; }
    var config = JSON.parse(data.textContent);
    window.wx.config({
      debug: false, appId: config.appId, timestamp: config.timestamp, nonceStr: config.nonceStr,
      signature: config.signature, jsApiList: ["checkJsApi"], openTagList: ["wx-open-subscribe"]
    });
    window.wx.ready(function () { box.classList.add("h5-wx-ready"); });
    var form = box.querySelector("[data-notice-form]");
    box.querySelector("wx-open-subscribe").addEventListener("success", function (event) {
      var details = JSON.parse(event.detail.subscribeDetails || "{}");
      Array.prototype.forEach.call(form.querySelectorAll("input[name=template_id]"), function (input) {
        var answer = details[input.value] ? JSON.parse(details[input.value]) : {};
        input.checked = answer.status === "accept";
      });
      form.submit();
    });
  });
})();
