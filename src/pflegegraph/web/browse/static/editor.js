// pflegegraph SPARQL editor: highlighting under a plain textarea, examples, and a results table.
// No dependencies, no network besides this service's own /sparql. All text goes into the page
// through textContent, never parsed as markup.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form) { return; }
  var area = document.getElementById("query");
  var code = document.getElementById("highlight");
  var select = document.getElementById("example");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var ui = JSON.parse(document.getElementById("ui-text").textContent);
  var endpoint = form.dataset.endpoint;
  var resourceUrl = form.dataset.resource;
  var base = form.dataset.base;
  var lang = form.dataset.lang;

  var KEYWORDS = /^(SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|PREFIX|BASE|FROM|NAMED|OPTIONAL|FILTER|UNION|MINUS|GRAPH|SERVICE|BIND|VALUES|AS|GROUP|BY|ORDER|HAVING|LIMIT|OFFSET|DISTINCT|REDUCED|ASC|DESC|NOT|EXISTS|IN|UNDEF|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|LANGMATCHES|DATATYPE|BOUND|IRI|URI|BNODE|RAND|ABS|CEIL|FLOOR|ROUND|CONCAT|STRLEN|UCASE|LCASE|ENCODE_FOR_URI|CONTAINS|STRSTARTS|STRENDS|STRBEFORE|STRAFTER|YEAR|MONTH|DAY|HOURS|MINUTES|SECONDS|TIMEZONE|TZ|NOW|UUID|STRUUID|MD5|SHA1|SHA256|SHA384|SHA512|COALESCE|IF|STRLANG|STRDT|SAMETERM|ISIRI|ISURI|ISBLANK|ISLITERAL|ISNUMERIC|REGEX|SUBSTR|REPLACE|TRUE|FALSE|A)$/i;
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z0-9_]+)|([A-Za-z][\w.-]*)?(:[\w.%-]*)|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]+)|(@[a-zA-Z-]+)|(\^\^)/g;

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function highlight() {
    var text = area.value;
    var out = document.createDocumentFragment();
    var last = 0;
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      if (m.index > last) { out.appendChild(document.createTextNode(text.slice(last, m.index))); }
      var cls = m[1] ? "tok-comment" : m[2] ? "tok-string" : m[3] ? "tok-iri" : m[4] ? "tok-var"
        : m[6] !== undefined ? "tok-pname" : m[7] ? "tok-number"
        : m[8] ? (KEYWORDS.test(m[8]) ? "tok-keyword" : "tok-word") : m[9] ? "tok-lang" : "tok-punct";
      out.appendChild(span(cls, m[0]));
      last = TOKEN.lastIndex;
    }
    out.appendChild(document.createTextNode(text.slice(last) + "\n"));
    code.textContent = "";
    code.appendChild(out);
    syncScroll();
  }

  function syncScroll() {
    code.parentNode.scrollTop = area.scrollTop;
    code.parentNode.scrollLeft = area.scrollLeft;
  }

  function termCell(term) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var a = document.createElement("a");
      var iri = term.value;
      if (iri.indexOf(base) === 0 && iri.indexOf("#") < 0 && iri.length > base.length) {
        a.href = iri.slice(base.length - 1).replace(/^\/?/, "/");
      } else {
        a.href = resourceUrl + "?iri=" + encodeURIComponent(iri);
      }
      if (lang !== "de") { a.href += (a.href.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang; }
      a.textContent = iri;
      td.appendChild(a);
    } else {
      var b = document.createElement("bdi");
      b.textContent = term.value;
      td.appendChild(b);
      if (term["xml:lang"] && term["xml:lang"] !== lang) { td.appendChild(span("lang", term["xml:lang"])); }
    }
    return td;
  }

  function showTable(doc) {
    var vars = doc.head.vars || [];
    var table = document.createElement("table");
    table.className = "results";
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    });
    var body = table.createTBody();
    doc.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(termCell(row[v])); });
    });
    results.appendChild(table);
    return doc.results.bindings.length;
  }

  function showDownloads(query) {
    downloads.textContent = ui.download + ": ";
    ["csv", "tsv", "json", "xml", "turtle", "jsonld"].forEach(function (fmt, i) {
      if (i) { downloads.appendChild(document.createTextNode(" · ")); }
      var a = document.createElement("a");
      a.href = endpoint + "?query=" + encodeURIComponent(query) + "&format=" + fmt;
      a.textContent = fmt.toUpperCase();
      downloads.appendChild(a);
    });
    downloads.hidden = false;
  }

  function run(event) {
    if (event) { event.preventDefault(); }
    var query = area.value;
    status.textContent = ui.running;
    results.textContent = "";
    downloads.hidden = true;
    var started = performance.now();
    fetch(endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: query}).toString()
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var cut = response.headers.get("Pflegegraph-Result-Truncated");
      return response.text().then(function (text) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          status.textContent = ui.error + " " + response.status + ": " + text;
          status.className = "error";
          return;
        }
        status.className = "";
        if (type.indexOf("json") >= 0) {
          var doc = JSON.parse(text);
          if (typeof doc.boolean === "boolean") {
            status.textContent = (doc.boolean ? ui.yes : ui.no) + " (" + ms + " " + ui.ms + ")";
          } else {
            var n = showTable(doc);
            status.textContent = n + " " + ui.rows + " (" + ms + " " + ui.ms + ")" + (cut ? " – " + ui.truncated + " " + n : "");
          }
        } else {
          var pre = document.createElement("pre");
          pre.textContent = text;
          results.appendChild(pre);
          status.textContent = ms + " " + ui.ms;
        }
        showDownloads(query);
      });
    }).catch(function (err) {
      status.textContent = ui.error + ": " + err.message;
      status.className = "error";
    });
  }

  area.addEventListener("input", highlight);
  area.addEventListener("scroll", syncScroll);
  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { run(event); }
  });
  select.addEventListener("change", function () {
    var chosen = examples.filter(function (e) { return e.name === select.value; })[0];
    if (chosen) { area.value = chosen.text; highlight(); }
  });
  form.addEventListener("submit", run);
  document.documentElement.classList.add("js");
  highlight();
}());
