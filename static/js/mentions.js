// @-mention autocomplete for textareas marked data-mentions="<people url>".
// Typing "@" and a few letters lists matching people; choosing one inserts the
// server's mention text (@"Name", or @email when a name is shared), which the
// server resolves again when the comment is saved.

import { t } from "./i18n.js";

const TRIGGER = /(?:^|[^\w@])@([\w.+-]{0,40})$/u;
const DELAY_MS = 120;

function attach(textarea) {
  const menu = document.createElement("div");
  menu.className = "mention-menu";
  menu.id = `${textarea.id || "mentions"}-menu`;
  menu.setAttribute("role", "listbox");
  menu.hidden = true;
  textarea.after(menu);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", menu.id);
  textarea.setAttribute("aria-expanded", "false");

  let people = [];
  let active = 0;
  let asked = 0;
  let timer = null;

  const close = () => {
    menu.hidden = true;
    people = [];
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  };

  const term = () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = TRIGGER.exec(before);
    return match ? match[1] : null;
  };

  const render = () => {
    menu.replaceChildren();
    if (!people.length) {
      const empty = document.createElement("div");
      empty.className = "mention-empty";
      empty.textContent = textarea.dataset.noMatch || t("No one found");
      menu.append(empty);
    }
    people.forEach((person, index) => {
      const option = document.createElement("button");
      option.type = "button";
      option.className = "mention-option";
      option.id = `${menu.id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(index === active));
      option.tabIndex = -1;
      const name = document.createElement("span");
      name.textContent = person.name;
      const email = document.createElement("span");
      email.className = "mention-email";
      email.textContent = person.email;
      option.append(name, email);
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret
      option.addEventListener("click", () => choose(index));
      menu.append(option);
    });
    menu.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    if (people.length) textarea.setAttribute("aria-activedescendant", `${menu.id}-${active}`);
  };

  const lookUp = async (query) => {
    const ticket = ++asked;
    try {
      const url = `${textarea.dataset.mentions}?q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`people: ${response.status}`);
      const body = await response.json();
      if (ticket !== asked || term() === null) return; // a newer keystroke has taken over
      people = body.data || [];
      active = 0;
      render();
    } catch {
      close(); // offline or signed out: typing goes on without suggestions
    }
  };

  const choose = (index) => {
    const person = people[index];
    if (!person) return;
    const caret = textarea.selectionStart;
    const typed = term() || "";
    const start = caret - typed.length - 1; // the "@"
    const insert = `${person.mention} `;
    textarea.setRangeText(insert, start, caret, "end");
    close();
    textarea.focus();
  };

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    const query = term();
    if (query === null) {
      close();
      return;
    }
    timer = setTimeout(() => lookUp(query), DELAY_MS);
  });

  textarea.addEventListener("keydown", (event) => {
    if (menu.hidden || !people.length) {
      if (event.key === "Escape" && !menu.hidden) close();
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : people.length - 1)) % people.length;
      render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  textarea.addEventListener("blur", () => setTimeout(close, 150));
}

for (const textarea of document.querySelectorAll("textarea[data-mentions]")) {
  attach(textarea);
}
