import { describe, expect, it } from 'vitest';
import { parseAamvaPayload } from './barcode.ts';

// Payloads laid out as AAMVA DL/ID Card Design Standard 2020 Annex D prescribes.
const LF = '\n';
function payload(version: string, body: string, type = 'DL'): string {
  const header = `@${LF}\u001e\rANSI 636014${version}0101`;
  const designators = `${type}${String(header.length + 10 + 2).padStart(4, '0')}${String(body.length + 2).padStart(4, '0')}`;
  return `${header}${designators}${type}${body}\r`;
}

describe('AAMVA PDF417 payload', () => {
  it('reads a version 9 US licence (MMDDCCYY dates, DAC given name)', () => {
    const p = payload(
      '09',
      `DAQD1234567${LF}DCSNUNEZ${LF}DACJOSE${LF}DADNONE${LF}DBB04121980${LF}DCGUSA`,
    );
    expect(parseAamvaPayload(p)).toEqual({
      ok: true,
      value: {
        iin: '636014',
        aamvaVersion: 9,
        documentNumber: 'D1234567',
        familyName: 'NUNEZ',
        givenName: 'JOSE',
        birthDate: '1980-04-12',
        country: 'USA',
      },
    });
  });

  it('reads Canadian dates year first, and version 3 DCT given names', () => {
    const p = payload(
      '03',
      `DAQ123${LF}DCSTREMBLAY${LF}DCTMARIE CLAIRE${LF}DBB19800412${LF}DCGCAN`,
      'ID',
    );
    const card = parseAamvaPayload(p);
    expect(card.ok && card.value).toMatchObject({
      givenName: 'MARIE',
      familyName: 'TREMBLAY',
      birthDate: '1980-04-12',
    });
  });

  it('survives a reader that dropped the control characters', () => {
    const p = payload('09', `DAQX9${LF}DCSLEE${LF}DACANN${LF}DBB01021990`)
      .replaceAll('\u001e', '')
      .replaceAll('\r', '');
    const card = parseAamvaPayload(p);
    expect(card.ok && card.value).toMatchObject({
      documentNumber: 'X9',
      familyName: 'LEE',
      birthDate: '1990-01-02',
    });
  });

  it('says what is wrong with text that is not a card', () => {
    for (const [text, why] of [
      ['hello', 'compliance indicator'],
      ['@\n\u001e\rXXXX 636014', 'file type'],
      [payload('09', `DCSLEE${LF}DBB13451990`), 'not a date'],
      [payload('09', `DCSLEE`), 'no document number'],
      [payload('09', 'DAQ1', 'ZZ'), 'no DL or ID subfile'],
    ] as const) {
      const r = parseAamvaPayload(text);
      expect(!r.ok && r.error.message).toContain(why);
    }
  });
});
