/**
 * YAML text to a plain value, strictly: what the yaml library only warns about (an unknown tag
 * such as `!!int` outside the core schema, a bad directive, an ambiguous alias) is an error
 * here, as an unknown field is — the text does not say what it seems to. It also keeps the
 * library from printing those warnings as process warnings on the CLI's stderr.
 */
import { parseDocument } from 'yaml';

/** Parses one YAML document; throws the first error or warning (a YAMLError with the position). */
export function parseYamlText(text: string): unknown {
  const document = parseDocument(text);
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem !== undefined) throw problem;
  return document.toJS();
}
