// The builder's JSON API as seen from the entity designer. URLs come from the page's data
// attributes (built by url_for), so no route is spelled twice.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

async function call(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) Object.assign(headers, { "Content-Type": "application/json", "X-CSRFToken": csrfToken() });
  const response = await fetch(url, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

export class BuilderApi {
  constructor(root) {
    this.urls = { ...root.dataset };
  }

  draft() {
    return call(this.urls.draftUrl);
  }

  fieldTypes() {
    return call(this.urls.fieldtypesUrl);
  }

  /** PUT one document; `revision` is the one it was loaded at (null for a new document). */
  save(path, document, revision) {
    return call(this.urls.documentsUrl.replace("__path__", path), { method: "PUT", body: { document, revision } });
  }

  /** Check an expression against the entity as edited (unsaved fields included). */
  formula(document, expression, sample) {
    return call(this.urls.formulaUrl, { method: "POST", body: { document, expression, sample } });
  }

  entityUrl(name) {
    return this.urls.entityUrl.replace("__name__", encodeURIComponent(name));
  }
}
