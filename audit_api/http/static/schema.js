// Starts Swagger UI on /schema (audit_api/http/schema_ui.py). A file, not an inline script, so the
// page's Content-Security-Policy allows scripts from this origin only. The spec comes from this origin
// too, and no validator badge is fetched from outside.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "BaseLayout",
  });
})();
