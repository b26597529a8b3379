// Candour's only script of its own (no inline scripts: the CSP forbids them).
// Sends the CSRF token with every htmx request, so htmx-enhanced forms pass the same check.
document.addEventListener("htmx:configRequest", function (event) {
  var field = document.querySelector("input[name=csrf]");
  if (field && !event.detail.parameters.csrf) { event.detail.parameters.csrf = field.value; }
});
