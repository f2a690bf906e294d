import { readFileSync } from 'node:fs';

/** The wording of one field of the convention form: what convention.md says under `### name · Label`. */
export interface FieldWording {
  label: string;
  hint?: string;
  options?: { value: string; label: string }[];
  /** The default text, one line per paragraph ('' when the field starts empty or its default is computed). */
  text: string;
}

export interface SectionWording {
  title: string;
  /** The fixed lines of the section, before its first field. */
  lines: string[];
}

interface ConventionWording {
  title: string;
  sections: Map<string, SectionWording>;
  fields: Map<string, FieldWording>;
}

/**
 * Reads convention.md: `# Title`, then `## key · Title` per section with its fixed lines, and
 * `### name · Label` per field with `> hint`, `- value : label` options and its default text.
 * Blank lines and HTML comments are ignored; a malformed file fails loudly, at start.
 */
export function parseConventionWording(source: string, file: string): ConventionWording {
  const wording: ConventionWording = { title: '', sections: new Map(), fields: new Map() };
  let section: SectionWording | undefined;
  let field: FieldWording | undefined;
  const fail = (n: number, message: string): never => {
    throw new Error(`${file}:${n + 1}: ${message}`);
  };
  const named = (n: number, heading: string): [string, string] => {
    const match = /^(\w+) · (.+)$/.exec(heading);
    return match ? [match[1]!, match[2]!] : fail(n, `expected "key · Title", got "${heading}"`);
  };
  const body = source.replace(/\r/g, '').replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, ''));
  body.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    if (line.startsWith('### ')) {
      if (!section) fail(n, 'a field outside any section');
      const [name, label] = named(n, line.slice(4));
      if (wording.fields.has(name)) fail(n, `field "${name}" given twice`);
      field = { label, text: '' };
      wording.fields.set(name, field);
    } else if (line.startsWith('## ')) {
      const [key, title] = named(n, line.slice(3));
      if (wording.sections.has(key)) fail(n, `section "${key}" given twice`);
      section = { title, lines: [] };
      field = undefined;
      wording.sections.set(key, section);
    } else if (line.startsWith('# ')) {
      if (wording.title) fail(n, 'a second title');
      wording.title = line.slice(2);
    } else if (field && line.startsWith('> ')) {
      field.hint = line.slice(2);
    } else if (field && line.startsWith('- ')) {
      const [value, label] = line.slice(2).split(' : ');
      if (!value || !label) fail(n, `expected "- value : label", got "${line}"`);
      field.options = [...(field.options ?? []), { value: value!, label: label! }];
    } else if (field) {
      field.text = field.text ? `${field.text}\n${line}` : line;
    } else if (section) {
      section.lines.push(line);
    } else {
      fail(n, `text before the first section: "${line}"`);
    }
  });
  if (!wording.title) throw new Error(`${file}: no "# Title" line`);
  return wording;
}

export function readConventionWording(url: URL): ConventionWording {
  return parseConventionWording(readFileSync(url, 'utf8'), url.pathname);
}
