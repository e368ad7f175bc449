import { HttpException, HttpStatus } from '@nestjs/common';
import type { UploadView } from '@switchboard/contracts';

/**
 * What an agent may attach. 16 MB is WhatsApp's limit for audio and video (and every SMS/MMS
 * gateway's is lower), so one limit keeps a file from being accepted here and refused later.
 */
export const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

const KINDS: [RegExp, UploadView['kind']][] = [
  [/^image\/webp$/, 'sticker'],
  [/^image\/(jpeg|png|gif)$/, 'image'],
  [/^video\/(mp4|3gpp|quicktime|webm)$/, 'video'],
  [/^audio\/(ogg|mpeg|mp4|aac|amr|webm|wav|x-m4a|opus)$/, 'audio'],
  [
    /^(application\/(pdf|msword|vnd\.openxmlformats-officedocument\.[\w.-]+|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.oasis\.opendocument\.[\w.-]+|zip|rtf|json)|text\/(plain|csv))$/,
    'document',
  ],
];

/** The kind a file is sent as; 415 for types no provider will carry (executables, HTML, SVG). */
export function uploadKind(mimeType: string): UploadView['kind'] {
  const type = mimeType.split(';')[0].trim().toLowerCase();
  const hit = KINDS.find(([re]) => re.test(type));
  if (!hit) {
    throw new HttpException(
      {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `${type || 'a file without a type'} cannot be sent; attach an image, video, audio file, PDF, office document or text file`,
      },
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  return hit[1];
}

/** A file name safe to store and to hand to providers: no path, no control characters. */
export function cleanFileName(raw: string | undefined, mimeType: string): string {
  let name = '';
  try {
    name = decodeURIComponent(raw ?? '');
  } catch {
    name = raw ?? '';
  }
  name = name
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return name || `file.${mimeType.split('/')[1]?.split(';')[0] ?? 'bin'}`;
}
