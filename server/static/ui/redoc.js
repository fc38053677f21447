// The API reference page: ReDoc on this server's OpenAPI document.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.body.getAttribute("data-root") || "";
  Redoc.init(root + "/openapi.json", {}, document.getElementById("redoc"));
});
