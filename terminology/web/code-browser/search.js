// Search as you type (the ARIA combobox pattern): `$expand` of every ICD-10-CM code with a filter, words
// or a code's start; a light debounce, and each new keystroke cancels the request before it.

import {h, fill} from "./dom.js";
import {viewHref} from "./links.js";

const DEBOUNCE_MS = 120;

/** A hit as a list's content: code, title, billable badge, chapter and block. */
export function hitContent(hit) {
  return [
    h("span", {class: "code-id"}, hit.code), " ",
    h("span", {class: "hit-display"}, hit.display || ""), " ",
    hit.billable === true ? h("span", {class: "badge billable"}, "Billable") : h("span", {class: "badge header"}, "Header"),
    h("span", {class: "hit-where"}, [hit.chapter ? `Chapter ${hit.chapter}` : "", hit.block || ""].filter(Boolean).join(" · ")),
  ];
}

/** Wires the combobox: `open(code)` shows a code's page, `search(text)` the page of every hit. */
export function searchBox({input, list, client, version, open, search}) {
  let controller = null;
  let timer = 0;
  let hits = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({block: "nearest"});
    } else input.removeAttribute("aria-activedescendant");
  };
  const show = (found, text) => {
    hits = found;
    fill(list, found.length
      ? found.map((hit, index) => h("li", {id: `hit-${index}`, role: "option", "aria-selected": "false", class: "hit",
          onmousedown: (event) => event.preventDefault(),  // (keeps the focus in the input)
          onclick: () => { close(); open(hit.code); }}, hitContent(hit)))
      : h("li", {class: "none", role: "option", "aria-disabled": "true"}, `No code matches “${text}”`));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  const query = async (text) => {
    controller?.abort();
    controller = new AbortController();
    try {
      show(await client.expand(text, version(), controller.signal), text);
    } catch (error) {
      if (error.name === "AbortError") return;
      hits = [];
      fill(list, h("li", {class: "error", role: "option", "aria-disabled": "true"}, error.message));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) {
      controller?.abort();
      close();
      return;
    }
    timer = setTimeout(() => query(text), DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && hits.length) {
      event.preventDefault();
      if (list.hidden) list.hidden = false, input.setAttribute("aria-expanded", "true");
      highlight((active + 1) % hits.length);
    } else if (event.key === "ArrowUp" && hits.length) {
      event.preventDefault();
      highlight(active <= 0 ? hits.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const text = input.value.trim();
      if (active >= 0 && !list.hidden) {
        const picked = hits[active];
        close();
        open(picked.code);
      } else if (text) {
        close();
        search(text);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (!list.hidden) close();
      else input.value = "";
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return {close};
}

/** The page of a search: every hit (up to the count asked), each a link. */
export async function showSearch(main, text, context) {
  fill(main, h("p", {class: "loading"}, `Searching for “${text}”…`));
  const hits = await context.client.expand(text, context.version);
  document.title = `${text} · ICD-10-CM browser`;
  fill(main, h("section", {class: "card", "aria-labelledby": "results-heading"},
    h("h1", {id: "results-heading"}, `Codes matching “${text}”`),
    hits.length
      ? h("ul", {class: "results"}, hits.map((hit) => h("li", {},
          h("a", {href: viewHref({code: hit.code, version: context.version}), "data-nav": true, class: "hit-link"}, hitContent(hit)))))
      : h("p", {}, "No code matches.")));
}
