/** Small DOM helpers: text goes in through textContent only, never as HTML. */

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A custom element of @vscode-elements/elements, typed as the plain element it extends. */
export function customElement(tag: string, attributes: Record<string, string> = {}, text?: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The toolbar every view opens with: its title and the file beside it, then room for actions. */
export function toolbar(titleText: string): { header: HTMLElement; title: HTMLElement; source: HTMLElement; actions: HTMLElement } {
  const header = element('header', 'toolbar');
  const heading = element('div', 'title');
  const title = element('span', 'model-name', titleText);
  const source = element('span', 'file-name');
  heading.append(title, source);
  const actions = element('div', 'actions');
  header.append(heading, actions);
  return { header, title, source, actions };
}
