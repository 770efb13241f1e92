// Reloads a job page while its job runs, after data-refresh-after milliseconds (a file, not an
// inline script: the admin's Content-Security-Policy allows no inline script without a nonce).
(function () {
  var delay = Number(document.currentScript.dataset.refreshAfter) || 4000;
  setTimeout(function () {
    window.location.reload();
  }, delay);
})();
