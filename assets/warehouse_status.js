// Show a banner when the server responds to a Dash request with 503 because the
// warehouse database cannot be reached (see dashboard/outage.py), and hide it
// after the next successful request.
//
// Dash shows callback errors only in its developer tools, so this script wraps
// window.fetch, which the Dash renderer uses for callbacks and for the layout.
(function () {
  "use strict";

  // layouts/shell_ids.WAREHOUSE_BANNER, a hidden element of the shell layout.
  var BANNER_ID = "shell-warehouse-banner";
  // Shown instead when the layout itself could not be loaded.
  var FALLBACK_ID = "warehouse-status-fallback";
  var DASH_PATHS = ["/_dash-update-component", "/_dash-layout", "/_dash-dependencies"];
  var DEFAULT_MESSAGE = "The crime data warehouse cannot be reached.";

  function requestPath(input) {
    var url = typeof input === "string" ? input : input && input.url;
    try {
      return new URL(url, window.location.href).pathname;
    } catch (error) {
      return "";
    }
  }

  function isDashRequest(input) {
    var path = requestPath(input);
    return DASH_PATHS.some(function (suffix) {
      return path.slice(-suffix.length) === suffix;
    });
  }

  function setBannerHidden(hidden) {
    var dashClientside = window.dash_clientside;
    if (document.getElementById(BANNER_ID) && dashClientside && dashClientside.set_props) {
      dashClientside.set_props(BANNER_ID, { hidden: hidden });
      return true;
    }
    return false;
  }

  function showFallback(message) {
    var element = document.getElementById(FALLBACK_ID);
    if (!element) {
      element = document.createElement("div");
      element.id = FALLBACK_ID;
      element.setAttribute("role", "alert");
      element.className = "alert alert-danger m-3";
      document.body.insertBefore(element, document.body.firstChild);
    }
    element.textContent = "Warehouse unavailable. " + message;
  }

  function showUnavailable(response) {
    response.clone().json().then(
      function (body) {
        if (!setBannerHidden(false)) {
          showFallback((body && body.message) || DEFAULT_MESSAGE);
        }
      },
      function () {
        if (!setBannerHidden(false)) {
          showFallback(DEFAULT_MESSAGE);
        }
      }
    );
  }

  function hideUnavailable() {
    var fallback = document.getElementById(FALLBACK_ID);
    if (fallback) {
      fallback.remove();
    }
    var banner = document.getElementById(BANNER_ID);
    if (banner && !banner.hidden) {
      setBannerHidden(true);
    }
  }

  var originalFetch = window.fetch.bind(window);

  window.fetch = function (input, init) {
    var answer = originalFetch(input, init);
    if (!isDashRequest(input)) {
      return answer;
    }
    return answer.then(function (response) {
      if (response.status === 503) {
        showUnavailable(response);
      } else if (response.ok) {
        hideUnavailable();
      }
      return response;
    });
  };
})();
