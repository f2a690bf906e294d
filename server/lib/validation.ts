import { type FieldErrors, ValidationError } from './errors.js';

type Body = Record<string, unknown>;

interface TextOptions {
  required?: boolean;
  min?: number;
  max?: number;
  /** Refuse anything that looks like an HTML tag (names, titles): default true. */
  noMarkup?: boolean;
  multiline?: boolean;
}

const markup = /<\s*\/?\s*[a-z!?]/i;
const controlChars = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Drops the control characters no text field keeps (NUL, which PostgreSQL text refuses, among them). */
export function stripControlChars(text: string): string {
  return text.replace(controlChars, '');
}

/** An address as accounts are looked up by it: the key of every per-account limit too. */
export function normalizeEmail(raw: string): string {
  return stripControlChars(raw).trim().replace(/\s+/g, ' ').toLowerCase();
}

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[a-z]{2,}$/i;

/**
 * An amount in euros as people type it in France ("1 234,50", "450 €", "12€50", "1.234,50") or as a
 * machine writes it ("450.5"): the canonical "1234.50", or null when it is not an amount.
 */
export function parseAmount(raw: string): string | null {
  // "12€50" is how a price tag writes 12,50 €.
  let text = raw
    .replace(/\s/g, '')
    .replace(/^(\d+)€(\d{2})$/, '$1,$2')
    .replace(/^€|(€|euros?)$/gi, '');
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(text)) text = text.replace(/\./g, '');
  text = text.replace(',', '.');
  return /^\d{1,8}(\.\d{1,2})?$/.test(text) ? Number(text).toFixed(2) : null;
}

export const messages = {
  required: 'Ce champ est obligatoire.',
  tooLong: (max: number, length: number) => `${max} caractères au maximum (vous en avez saisi ${length}).`,
  tooShort: (min: number) => `${min} caractères au minimum.`,
  markup: 'Les balises HTML ne sont pas autorisées ici.',
  email: 'Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).',
  integer: 'Saisissez un nombre entier.',
  number: 'Saisissez un nombre (exemple : 12,50).',
  amount: 'Saisissez un montant en euros, avec au plus deux décimales (exemple : 1 234,50).',
  min: (min: number) => `La valeur doit être au moins ${min}.`,
  max: (max: number) => `La valeur doit être au plus ${max}.`,
  choice: 'Choisissez une valeur dans la liste.',
  date: 'Date invalide (format attendu : AAAA-MM-JJ).',
  url: 'Adresse web invalide (exemple : https://www.exemple.fr).',
  phone: 'Numéro de téléphone invalide (exemple : 04 72 00 00 00).',
  siretFormat: 'Le SIRET comporte 14 chiffres.',
  siretKey: 'Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte).',
  rna: 'Le numéro RNA commence par W suivi de 9 chiffres (exemple : W691234567).',
  postcode: 'Le code postal comporte 5 chiffres.',
};

/** Luhn check used by SIREN/SIRET (La Poste's SIRETs, starting 356000000, use a digit sum instead). */
export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith('356000000')) return [...siret].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(siret[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Reads a parsed form body field by field and collects French messages, so a form can be shown
 * again with each error next to its field. Values are trimmed and stripped of control characters.
 */
export class FormReader {
  readonly errors: FieldErrors = {};

  constructor(readonly body: Body) {}

  raw(name: string): string {
    const value = this.body[name];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? stripControlChars(first).trim() : '';
  }

  list(name: string): string[] {
    const value = this.body[name];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  }

  fail(name: string, message: string): void {
    this.errors[name] ??= message;
  }

  text(name: string, options: TextOptions = {}): string {
    const value = options.multiline ? this.raw(name).replace(/\r\n/g, '\n') : this.raw(name).replace(/\s+/g, ' ');
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return '';
    }
    if (options.max !== undefined && value.length > options.max) this.fail(name, messages.tooLong(options.max, value.length));
    else if (options.min !== undefined && value.length < options.min) this.fail(name, messages.tooShort(options.min));
    else if ((options.noMarkup ?? true) && markup.test(value)) this.fail(name, messages.markup);
    return value;
  }

  optionalText(name: string, options: Omit<TextOptions, 'required'> = {}): string | null {
    return this.text(name, options) || null;
  }

  email(name: string, options: { required?: boolean } = {}): string | null {
    const value = normalizeEmail(this.text(name, { required: options.required, max: 254 }));
    if (value && !emailPattern.test(value)) this.fail(name, messages.email);
    return value || null;
  }

  int(name: string, options: { required?: boolean; min?: number; max?: number } = {}): number | null {
    const value = this.raw(name).replace(/\s/g, '');
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    if (!/^-?\d{1,9}$/.test(value)) {
      this.fail(name, messages.integer);
      return null;
    }
    const number = Number(value);
    this.checkBounds(name, number, options);
    return number;
  }

  decimal(name: string, options: { required?: boolean; min?: number; max?: number } = {}): string | null {
    const value = this.raw(name).replace(/\s/g, '').replace(',', '.');
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    if (!/^\d{1,8}(\.\d{1,2})?$/.test(value)) {
      this.fail(name, messages.number);
      return null;
    }
    const number = Number(value);
    this.checkBounds(name, number, options);
    return value;
  }

  private checkBounds(name: string, number: number, options: { min?: number; max?: number }): void {
    if (options.min !== undefined && number < options.min) this.fail(name, messages.min(options.min));
    if (options.max !== undefined && number > options.max) this.fail(name, messages.max(options.max));
  }

  /** An amount in euros (see parseAmount), canonical ("1234.50") for a numeric column. */
  money(name: string, options: { required?: boolean; min?: number; max?: number } = {}): string | null {
    const raw = this.raw(name).trim();
    if (!raw) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    const value = parseAmount(raw);
    if (value === null) {
      this.fail(name, messages.amount);
      return null;
    }
    const number = Number(value);
    this.checkBounds(name, number, options);
    return value;
  }

  date(name: string, options: { required?: boolean } = {}): string | null {
    const value = this.raw(name);
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    const date = new Date(`${value}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      this.fail(name, messages.date);
      return null;
    }
    return value;
  }

  bool(name: string): boolean {
    return ['on', 'true', '1', 'oui'].includes(this.raw(name).toLowerCase());
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], options: { required?: boolean } = {}): T | null {
    const value = this.raw(name);
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    if (!allowed.includes(value as T)) {
      this.fail(name, messages.choice);
      return null;
    }
    return value as T;
  }

  someOf<T extends string>(name: string, allowed: readonly T[], options: { min?: number; requiredMessage?: string } = {}): T[] {
    const values = [...new Set(this.list(name))];
    if (values.some((v) => !allowed.includes(v as T))) this.fail(name, messages.choice);
    if (options.min && values.length < options.min) this.fail(name, options.requiredMessage ?? messages.required);
    return values.filter((v): v is T => allowed.includes(v as T));
  }

  url(name: string): string | null {
    let value = this.text(name, { max: 300 });
    if (!value) return null;
    if (!/^https?:\/\//i.test(value)) value = `https://${value}`;
    try {
      const url = new URL(value);
      if (!url.hostname.includes('.')) throw new Error('host');
      return url.toString();
    } catch {
      this.fail(name, messages.url);
      return null;
    }
  }

  phone(name: string): string | null {
    const value = this.text(name, { max: 30 });
    if (!value) return null;
    if (!/^\+?[\d .()-]{8,20}$/.test(value) || value.replace(/\D/g, '').length < 9) this.fail(name, messages.phone);
    return value;
  }

  siret(name: string): string | null {
    const value = this.raw(name).replace(/\s/g, '');
    if (!value) return null;
    if (!/^\d{14}$/.test(value)) this.fail(name, messages.siretFormat);
    else if (!isValidSiret(value)) this.fail(name, messages.siretKey);
    return value;
  }

  rna(name: string): string | null {
    const value = this.raw(name).replace(/\s/g, '').toUpperCase();
    if (!value) return null;
    if (!/^W\d{9}$/.test(value)) this.fail(name, messages.rna);
    return value;
  }

  postcode(name: string, options: { required?: boolean } = {}): string | null {
    const value = this.raw(name).replace(/\s/g, '');
    if (!value) {
      if (options.required) this.fail(name, messages.required);
      return null;
    }
    if (!/^\d{5}$/.test(value)) this.fail(name, messages.postcode);
    return value;
  }

  check(condition: boolean, name: string, message: string): void {
    if (!condition) this.fail(name, message);
  }

  get valid(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  /** Throws a ValidationError carrying every field message when anything was wrong. */
  assertValid(): void {
    if (!this.valid) throw new ValidationError(this.errors);
  }
}
