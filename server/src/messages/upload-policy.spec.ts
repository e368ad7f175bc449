import { HttpException } from '@nestjs/common';
import { cleanFileName, uploadKind } from './upload-policy';

describe('upload policy', () => {
  it.each([
    ['image/jpeg', 'image'],
    ['image/png; charset=binary', 'image'],
    ['image/webp', 'sticker'],
    ['video/mp4', 'video'],
    ['audio/ogg', 'audio'],
    ['audio/mpeg', 'audio'],
    ['application/pdf', 'document'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document'],
    ['text/csv', 'document'],
  ])('should send %s as %s', (type, kind) => {
    expect(uploadKind(type)).toBe(kind);
  });

  it.each(['application/x-msdownload', 'text/html', 'image/svg+xml', 'application/octet-stream', ''])(
    'should refuse %p with 415',
    (type) => {
      let caught: unknown;
      try {
        uploadKind(type);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HttpException);
      expect((caught as HttpException).getStatus()).toBe(415);
    },
  );

  it('should keep only a safe base name', () => {
    expect(cleanFileName(encodeURIComponent('../../etc/Relatório final.pdf'), 'application/pdf')).toBe('Relatório final.pdf');
    expect(cleanFileName('C:\\Users\\ana\\foto.jpg', 'image/jpeg')).toBe('foto.jpg');
    expect(cleanFileName('bad%E0%A4%A', 'image/png')).toBe('bad%E0%A4%A');
    expect(cleanFileName(undefined, 'image/png')).toBe('file.png');
    expect(cleanFileName('a"b\u0007c.txt', 'text/plain')).toBe('abc.txt');
  });
});
