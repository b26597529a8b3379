// Starts Swagger UI on /docs from a file, not an inline script (the CSP forbids inline code).
// The schema is fetched with this page's session; nothing is loaded from outside the server
// (no validator badge, no remote presets).
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: false,
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
