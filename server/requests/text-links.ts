const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]!);
}

const urlPattern = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const trailing = /[.,;:!?)\]»’']+$/;

/**
 * Plain text → HTML: everything escaped, web addresses turned into links that open normally
 * (no target) and tell search engines and the opened page nothing (rel="noopener nofollow ugc").
 */
export function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    const start = match.index;
    let url = match[0];
    const cut = trailing.exec(url);
    if (cut) url = url.slice(0, url.length - cut[0].length);
    if (!url.includes('.') || url.length < 8) continue;
    const href = url.toLowerCase().startsWith('www.') ? `https://${url}` : url;
    html += escapeHtml(text.slice(last, start));
    html += `<a href="${escapeHtml(href)}" rel="noopener nofollow ugc">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return html + escapeHtml(text.slice(last));
}
