import { canonicalBrazilMobile, e164FromInternationalDigits, evolutionNumber, identityFromJid, normalizeTypedPhone } from './identity';

describe('identity', () => {
  describe(canonicalBrazilMobile.name, () => {
    it('should add the 9th digit to a 12-digit Brazilian mobile id', () => {
      expect(canonicalBrazilMobile('553198765432')).toBe('5531998765432');
    });
    it('should leave a 12-digit Brazilian landline alone', () => {
      expect(canonicalBrazilMobile('551133334444')).toBe('551133334444');
    });
    it('should leave a 13-digit Brazilian mobile alone', () => {
      expect(canonicalBrazilMobile('5511987650001')).toBe('5511987650001');
    });
    it('should leave other countries alone', () => {
      expect(canonicalBrazilMobile('447700900123')).toBe('447700900123');
    });
  });

  describe(identityFromJid.name, () => {
    it('should read a phone JID as E.164', () => {
      expect(identityFromJid('5511987650001@s.whatsapp.net')).toEqual({
        kind: 'person',
        address: '+5511987650001',
        phone: '+5511987650001',
        raw: '5511987650001@s.whatsapp.net',
        aliases: [],
      });
    });
    it('should canonicalise a pre-9th-digit Brazilian JID but keep the raw JID for replies', () => {
      const id = identityFromJid('553198765432@s.whatsapp.net');
      expect(id).toMatchObject({ address: '+5531998765432', raw: '553198765432@s.whatsapp.net' });
    });
    it('should use remoteJidAlt for a LID sender and keep the LID as an alias', () => {
      const id = identityFromJid('208475913362181@lid', '5521976540002@s.whatsapp.net');
      expect(id).toEqual({
        kind: 'person',
        address: '+5521976540002',
        phone: '+5521976540002',
        raw: '5521976540002@s.whatsapp.net',
        aliases: ['lid:208475913362181'],
      });
    });
    it('should key a LID-only sender by lid: and never invent a phone', () => {
      expect(identityFromJid('164203881579023@lid')).toEqual({
        kind: 'person',
        address: 'lid:164203881579023',
        phone: null,
        raw: '164203881579023@lid',
        aliases: [],
      });
    });
    it('should ignore groups, status broadcasts and newsletters', () => {
      expect(identityFromJid('120363041234567890@g.us')).toMatchObject({ kind: 'ignore', reason: 'group' });
      expect(identityFromJid('status@broadcast')).toMatchObject({ kind: 'ignore', reason: 'broadcast' });
      expect(identityFromJid('1203630@newsletter')).toMatchObject({ kind: 'ignore', reason: 'newsletter' });
    });
    it('should strip a device suffix from a JID', () => {
      expect(identityFromJid('447700900123:12@s.whatsapp.net')).toMatchObject({ address: '+447700900123' });
    });
  });

  describe(normalizeTypedPhone.name, () => {
    it('should read national formats with the default country', () => {
      expect(normalizeTypedPhone('07700 900123', 'GB')).toBe('+447700900123');
      expect(normalizeTypedPhone('09876543210', 'IN')).toBe('+919876543210');
      expect(normalizeTypedPhone('(11) 98765-0001', 'BR')).toBe('+5511987650001');
    });
    it('should read international formats regardless of the default country', () => {
      expect(normalizeTypedPhone('+44 7700 900123', 'BR')).toBe('+447700900123');
      expect(normalizeTypedPhone('5511987650001', 'GB')).toBe('+5511987650001');
    });
    it('should canonicalise a typed pre-9th-digit Brazilian mobile', () => {
      expect(normalizeTypedPhone('+55 31 9876-5432', 'BR')).toBe('+5531998765432');
    });
    it('should reject text that is not a phone number', () => {
      expect(normalizeTypedPhone('hello', 'BR')).toBeNull();
      expect(normalizeTypedPhone('', 'BR')).toBeNull();
    });
  });

  describe(e164FromInternationalDigits.name, () => {
    it('should reject too short digit strings', () => {
      expect(e164FromInternationalDigits('12345')).toBeNull();
    });
  });

  describe(evolutionNumber.name, () => {
    it('should send the raw JID digits, keeping a legacy Brazilian id as WhatsApp knows it', () => {
      expect(evolutionNumber('553198765432@s.whatsapp.net')).toBe('553198765432');
    });
    it('should send a LID as the full JID', () => {
      expect(evolutionNumber('164203881579023@lid')).toBe('164203881579023@lid');
    });
    it('should strip the plus of an E.164 address', () => {
      expect(evolutionNumber('+447700900123')).toBe('447700900123');
    });
  });
});
