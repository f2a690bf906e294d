declare module '@socialgouv/jours-feries' {
  /** French public holidays of a year, by name (local-time midnights). */
  export default function joursFeries(year: number, options?: { alsace?: boolean }): Record<string, Date>;
}
