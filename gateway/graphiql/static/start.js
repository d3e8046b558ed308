// Starts GraphiQL on the page gateway/graphiql/page.py renders. A file of its own, not
// an inline script, so that the page's CSP can allow scripts from the gateway only.
//
// The address prefills the editors: ?query= and ?variables= (kept up to date while you
// type, to share a link), and #headers= for the headers editor. The headers travel in
// the fragment because browsers never send it: a token in ?headers= would land in every
// access log on the way. The fragment is dropped from the address once read.
(function () {
  "use strict";

  var DEFAULT_QUERY = [
    "# Welcome to GraphiQL, served by erp-gateway.",
    "#",
    "# Open Headers below and paste the token the demo printed:",
    '#   {"Authorization": "Bearer <token>"}',
    "# then run the query with Ctrl-Enter (or the play button).",
    "# Ctrl-Space completes, and the Docs button shows the schema.",
    "",
    "{",
    "  viewer { kind subject scopes }",
    "}",
    "",
  ].join("\n");

  var search = new URLSearchParams(window.location.search);
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  if (window.location.hash) {
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  function keepInAddress(name, value) {
    if (value) {
      search.set(name, value);
    } else {
      search.delete(name);
    }
    var text = search.toString();
    history.replaceState(null, "", window.location.pathname + (text ? "?" + text : ""));
  }

  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + window.location.pathname,
  });

  function Page() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      query: search.get("query") || undefined,
      variables: search.get("variables") || undefined,
      headers: fragment.get("headers") || undefined,
      onEditQuery: function (query) {
        keepInAddress("query", query);
      },
      onEditVariables: function (variables) {
        keepInAddress("variables", variables);
      },
      defaultEditorToolsVisibility: fragment.get("headers") ? "headers" : true,
      isHeadersEditorEnabled: true,
      // A token stays in this tab unless its user turns persistence on in the settings.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Page));
})();
