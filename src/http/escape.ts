/**
 * Escaping for the places where stored text enters an HTML page. One module, so that every page
 * (the admin panel's layout, the login page, the API docs, our small HTML answers) escapes the
 * same way: users' words are data, never markup or script.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A value as a JavaScript expression inside an inline `<script>` element. JSON.stringify alone is
 * not enough there: `</script>` (or `<!--`) in a string ends or changes the script element, and
 * U+2028 and U+2029 end a line in older JavaScript engines. `<`, `>` and `&` are written as \u
 * escapes, which JSON and JavaScript read back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value ?? null).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
