/**
 * Error messages quote input files (a YAML snippet, a received value). Control characters in
 * them would reach the terminal raw — an ESC sequence can rewrite the screen or the title — so
 * they are shown escaped (`\u001b`); line breaks and tabs stay.
 */

// C0 controls but tab and line feed, DEL, and the C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with every control character but \n and \t written as a \uXXXX escape. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
