// The API page: Swagger UI on this server's OpenAPI document (a file, so that the page's
// Content-Security-Policy can refuse inline scripts).
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.body.getAttribute("data-root") || "";
  window.ui = SwaggerUIBundle({
    url: root + "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
