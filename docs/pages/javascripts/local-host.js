// When the site is served beside a running API (`make serve` puts it at /docs/ on the mock),
// the samples should reach that server when pasted, not production: swap the production base
// URL in every code block for this page's origin, once the API answers at this origin.
(function () {
  "use strict";
  const production = document.querySelector('meta[name="api-base-url"]')?.content;
  const probe = document.querySelector('meta[name="api-probe"]')?.content;
  const origin = window.location.origin;
  if (!production || !probe || !origin.startsWith("http") || origin === production) return;

  function rewrite() {
    // Only what a reader runs: samples, example answers and request lines. A table of
    // servers keeps saying where production is.
    let rewritten = 0;
    for (const root of document.querySelectorAll("article .api-code, article .http-request")) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.data.includes(production)) {
          node.data = node.data.split(production).join(origin);
          rewritten += 1;
        }
      }
    }
    if (!rewritten) return;
    document.documentElement.dataset.apiOrigin = origin;
    const note = document.createElement("div");
    note.className = "admonition info api-origin-note";
    const title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "Samples aimed at this server";
    const text = document.createElement("p");
    text.textContent = `This site is served beside the API at ${origin}, so the samples ` +
      `on this page use it instead of ${production}.`;
    note.append(title, text);
    // After the samples that float beside the title, so the dark column stays level with it.
    let anchor = document.querySelector("article h1");
    while (anchor?.nextElementSibling?.classList.contains("api-code")) {
      anchor = anchor.nextElementSibling;
    }
    if (anchor) anchor.after(note);
  }

  fetch(origin + probe, { headers: { Accept: "application/json" } })
    .then((response) => {
      const type = response.headers.get("content-type") || "";
      if (response.ok && type.includes("json")) rewrite();
    })
    .catch(() => {})
    .finally(() => {
      document.documentElement.dataset.apiProbed = "true"; // for the browser tests
    });
})();
