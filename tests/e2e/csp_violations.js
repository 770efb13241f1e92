// Added to every page of a browser test before the page's own scripts (Playwright's init script,
// which the page's Content-Security-Policy does not govern): each violation of that policy is
// handed to the test through the function it exposed as window.reportCspViolation.
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: location.pathname + location.search,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
