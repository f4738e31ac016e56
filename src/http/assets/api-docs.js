/* global window, document, SwaggerUIBundle */
// The API docs page's start-up script (served by us: the page's CSP runs no inline script).
// "Try it out" calls the API from this page: with the admin panel's session cookie (same origin;
// the server refuses cookie-carrying writes whose Origin is not this site), or with an access token
// pasted under "Authorize" (sent as a bearer token instead).
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: document.getElementById('swagger-ui').getAttribute('data-spec-url'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    // Without this, Swagger UI sends the document to validator.swagger.io for a badge.
    validatorUrl: null,
    displayRequestDuration: true,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      request.credentials = 'same-origin';
      return request;
    },
  });
});
