/** Whether a string has no lone surrogates (so UTF-8 represents it exactly). Native in Node 20. */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
