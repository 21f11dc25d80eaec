// The formula editor: a textarea that completes field, variable and function names as you type,
// checks the expression on the server 250 ms after you stop (the same parser and type checker
// publish uses), underlines the exact spot of an error, and computes the result on a sample
// record you type. The underline lives in a backdrop behind the transparent textarea. Conditions
// (form visibility, required-when) use it too, with `expects` naming the one result type allowed.

import { t } from "../i18n.js";
import { debounce, el, localize, nextId } from "./dom.js";

const TOKEN_BEFORE_CARET = /[$A-Za-z_][\w.]*$/;
const IDENTIFIER = /[$A-Za-z_][\w.]*/g;
const MAX_ITEMS = 8;

export class FormulaEditor {
  /** `check(expression, sample)` -> the API reply; `onInput(text)` stores the text in the document. */
  /** `sample` is the object the sample values are kept in, so they outlive a redraw of the panel. */
  /** `expects`: `{type, ok, wrong}`, the result type required and the texts for it and for another
   * (`{type}` in `wrong` is the type found); `hint` is shown while the text is empty. */
  constructor({ value = "", check, onInput, preview = true, testid = "formula", inputTestid = `${testid}-input`,
    placeholder = "", sample = {}, expects = null, hint = t("Type a formula, e.g. amount * 2") }) {
    this.check = check;
    this.onInput = onInput;
    this.expects = expects;
    this.hint = hint;
    this.testid = testid;
    this.completions = [];
    this.items = [];
    this.active = -1;
    this.sample = sample;
    this.seq = 0;
    this.input = el("textarea", { class: "form-control ed-formula-input", rows: 2, spellcheck: "false",
      autocomplete: "off", placeholder, role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      dataset: { testid: inputTestid } });
    this.input.value = value;
    this.backdrop = el("div", { class: "ed-formula-backdrop", "aria-hidden": "true" });
    this.menu = el("ul", { class: "ed-completions list-unstyled d-none", role: "listbox", id: nextId("completions"),
      dataset: { testid: `${testid}-completions` } });
    this.input.setAttribute("aria-controls", this.menu.id);
    this.status = el("div", { class: "ed-formula-status small", role: "status", dataset: { testid: `${testid}-status` } });
    this.samples = el("div", { class: "ed-formula-samples" });
    this.result = el("div", { class: "ed-formula-result small", dataset: { testid: `${testid}-preview` } });
    this.element = el("div", { class: "ed-formula" }, [
      el("div", { class: "ed-formula-box" }, [this.backdrop, this.input, this.menu]), this.status,
      preview ? el("div", { class: "ed-formula-preview" }, [
        el("div", { class: "small fw-semibold mb-1", text: t("Try it on a sample record") }), this.samples, this.result]) : null,
    ]);
    this.scheduleCheck = debounce(() => this.runCheck(), 250);
    this.input.addEventListener("input", () => this.#typed());
    this.input.addEventListener("keydown", (event) => this.#key(event));
    this.input.addEventListener("scroll", () => { this.backdrop.scrollTop = this.input.scrollTop; });
    this.input.addEventListener("blur", () => setTimeout(() => this.#close(), 120));
    this.menu.addEventListener("mousedown", (event) => {
      const item = event.target.closest("[data-i]");
      event.preventDefault(); // keep the focus (and the caret) in the textarea
      if (item) this.#accept(Number(item.dataset.i));
    });
    this.#mark(null);
    this.runCheck();
  }

  async runCheck() {
    const seq = ++this.seq;
    const expression = this.input.value;
    const reply = await this.check(expression, this.sample);
    if (seq !== this.seq) return; // a newer keystroke already asked again
    const data = reply.data || {};
    const expects = this.expects;
    this.completions = data.completions || this.completions;
    if (!expression.trim()) {
      this.#show("", this.hint);
      this.#mark(null);
    } else if (data.ok && expects && data.type !== expects.type) {
      this.#show("error", expects.wrong.replace("{type}", data.type));
      this.#mark(null);
    } else if (data.ok) {
      this.#show("ok", expects ? expects.ok : t("Valid · result type {type}", { type: data.type }));
      this.#mark(null);
    } else {
      const error = data.error || { line: 1, col: 1, message: reply.data?.error?.message || t("Could not check") };
      this.#show("error", t("Line {line}, column {col}: {message}", error));
      this.#mark(error);
    }
    this.element.dispatchEvent(new CustomEvent("formula-checked", { detail: data }));
    this.#drawSamples();
    this.#drawResult(data);
  }

  #typed() {
    this.onInput(this.input.value);
    this.#mark(null);
    this.#suggest(false);
    this.scheduleCheck();
  }

  #show(kind, text) {
    this.status.className = `ed-formula-status small ${kind === "ok" ? "text-success" : kind === "error" ? "text-danger" : "text-body-secondary"}`;
    this.status.textContent = `${kind === "ok" ? "✓ " : kind === "error" ? "✗ " : ""}${text}`;
    this.input.classList.toggle("is-invalid", kind === "error");
  }

  /** Redraw the backdrop with the error's token (or a block after the end) underlined. */
  #mark(error) {
    const text = this.input.value;
    if (!error) {
      this.backdrop.replaceChildren(document.createTextNode(`${text}\n`));
      return;
    }
    const lines = text.split("\n");
    const line = Math.min(Math.max(error.line, 1), lines.length);
    let at = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + Math.max(error.col, 1) - 1;
    at = Math.min(at, text.length);
    const token = text.slice(at).match(/^[$\w.]+/)?.[0] || text.slice(at, at + 1).replace("\n", "");
    const mark = el("mark", { class: "ed-formula-error", dataset: { testid: `${this.testid}-error-mark` }, text: token || "\u00a0" });
    this.backdrop.replaceChildren(document.createTextNode(text.slice(0, at)), mark,
      document.createTextNode(`${text.slice(at + token.length)}\n`));
    this.backdrop.scrollTop = this.input.scrollTop;
  }

  /** Sample inputs for the plain fields the expression uses; values survive redraws. */
  #drawSamples() {
    const used = new Set(this.input.value.match(IDENTIFIER) || []);
    const fields = this.completions.filter((c) => c.kind === "field" && !c.text.includes(".") && used.has(c.text));
    const key = fields.map((f) => f.text).join(",");
    if (key === this.samples.dataset.fields) return;
    this.samples.dataset.fields = key;
    this.samples.replaceChildren(...fields.map((field) => {
      const input = el("input", { class: "form-control form-control-sm", value: this.sample[field.text] ?? "",
        placeholder: field.type || "", dataset: { testid: `sample-${field.text}` }, id: nextId("sample") });
      input.addEventListener("input", () => { this.sample[field.text] = input.value; this.scheduleCheck(); });
      return el("label", { class: "ed-sample", for: input.id }, [
        el("span", { class: "small text-body-secondary", text: localize(field.label, field.text) }), input]);
    }));
  }

  #drawResult(data) {
    this.result.replaceChildren();
    if (!data.ok || !this.input.value.trim()) return;
    const preview = data.preview || {};
    if ("error" in preview) {
      this.result.append(el("span", { class: "text-danger", text: preview.error }));
      return;
    }
    const value = preview.value;
    const shown = value === null || value === undefined ? t("(empty)") : typeof value === "object" ? JSON.stringify(value) : String(value);
    this.result.append(el("span", { class: "text-body-secondary", text: `${t("Result")}: ` }),
      el("output", { class: "fw-semibold font-monospace", dataset: { testid: "formula-result" }, text: shown }));
  }

  #token() {
    const caret = this.input.selectionStart;
    return this.input.value.slice(0, caret).match(TOKEN_BEFORE_CARET)?.[0] || "";
  }

  /** Open the menu with completions of the word before the caret (`any`: even with no word yet). */
  #suggest(any) {
    const token = this.#token().toLowerCase();
    if (!token && !any) return this.#close();
    this.items = this.completions
      .filter((c) => c.text.toLowerCase().startsWith(token) && c.text.toLowerCase() !== token)
      .slice(0, MAX_ITEMS);
    if (!this.items.length) return this.#close();
    this.active = 0;
    this.menu.replaceChildren(...this.items.map((item, i) => el("li", {
      class: "ed-completion", role: "option", id: `${this.menu.id}-${i}`, dataset: { i: String(i), kind: item.kind },
    }, [el("span", { class: "font-monospace", text: item.text }),
      el("span", { class: "ed-completion-meta", text: [item.type, item.label ? localize(item.label, "") : item.kind].filter(Boolean).join(" · ") })])));
    this.menu.classList.remove("d-none");
    this.input.setAttribute("aria-expanded", "true");
    this.#highlight();
  }

  #highlight() {
    [...this.menu.children].forEach((li, i) => li.classList.toggle("active", i === this.active));
    this.input.setAttribute("aria-activedescendant", `${this.menu.id}-${this.active}`);
    this.menu.children[this.active]?.scrollIntoView({ block: "nearest" });
  }

  #close() {
    this.items = [];
    this.menu.classList.add("d-none");
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  #accept(i) {
    const item = this.items[i];
    if (!item) return;
    const caret = this.input.selectionStart;
    const start = caret - this.#token().length;
    this.input.setRangeText(item.text, start, caret, "end");
    this.#close();
    this.#typed();
    this.#close();
  }

  #key(event) {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      this.#suggest(true);
      return;
    }
    if (!this.items.length) return;
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      this.active = (this.active + moves[event.key] + this.items.length) % this.items.length;
      this.#highlight();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.#accept(this.active);
    } else if (event.key === "Escape") {
      this.#close();
    } else {
      return;
    }
    event.preventDefault();
  }
}
