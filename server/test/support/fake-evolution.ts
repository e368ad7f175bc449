import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Answer only after this long (a slow provider). */
  delayMs?: number;
}

let counter = 0;

/**
 * A local HTTP server speaking Evolution API v2's REST surface (PROTOCOLS.md §1.6-1.7):
 * sendText, sendMedia and sendWhatsAppAudio answer 201 with the stored message and a fresh key.id;
 * connectionState, webhook/set.
 * Tests can queue replies per path to script failures (503, 400 ...).
 */
export class FakeEvolution {
  readonly requests: RecordedRequest[] = [];
  private readonly scripted = new Map<string, Reply[]>();
  private server: Server | null = null;
  state = 'open';
  /** Media Evolution has stored, by message key id (what getBase64FromMediaMessage decrypts). */
  readonly media = new Map<string, { bytes: Buffer; mimeType: string; fileName: string }>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: any = null;
        try {
          body = raw ? JSON.parse(raw) : null;
        } catch {
          body = raw;
        }
        const path = (req.url ?? '').split('?')[0];
        this.requests.push({ at: Date.now(), method: req.method ?? '', path, headers: req.headers, body });
        const reply = this.reply(req.method ?? '', path, body);
        setTimeout(() => {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply.body));
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next calls to `path` get these replies, in order; later calls get the default. */
  script(path: string, ...replies: Reply[]): void {
    this.scripted.set(path, [...(this.scripted.get(path) ?? []), ...replies]);
  }

  sends(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/message/sendText/'));
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private reply(method: string, path: string, body: any): Reply {
    const queued = this.scripted.get(path)?.shift();
    if (queued) return queued;
    const instance = decodeURIComponent(path.split('/').pop() ?? '');
    if (method === 'GET' && path.startsWith('/instance/connectionState/')) {
      return { status: 200, body: { instance: { instanceName: instance, state: this.state } } };
    }
    if (method === 'POST' && path.startsWith('/webhook/set/'))
      return { status: 201, body: { webhook: { instanceName: instance, webhook: body?.webhook } } };
    if (method === 'POST' && path.startsWith('/chat/getBase64FromMediaMessage/')) {
      const media = this.media.get(body?.message?.key?.id);
      if (!media) return { status: 400, body: { status: 400, error: 'Bad Request', response: { message: ['Message not found'] } } };
      return {
        status: 201,
        body: {
          mediaType: 'imageMessage',
          fileName: media.fileName,
          caption: null,
          size: { fileLength: media.bytes.length },
          mimetype: media.mimeType,
          base64: media.bytes.toString('base64'),
          buffer: null,
        },
      };
    }
    if (method === 'POST' && (path.startsWith('/message/sendMedia/') || path.startsWith('/message/sendWhatsAppAudio/'))) {
      // Like sendText: 201 with the stored message; the Baileys content key follows the media type.
      const id = `3EB0${(++counter).toString(16).toUpperCase().padStart(16, '0')}`;
      const audio = path.startsWith('/message/sendWhatsAppAudio/');
      const type = audio ? 'audioMessage' : `${body?.mediatype ?? 'image'}Message`;
      return {
        status: 201,
        body: {
          key: { remoteJid: `${body?.number}@s.whatsapp.net`, fromMe: true, id },
          pushName: 'Você',
          status: 'PENDING',
          message: { [type]: { mimetype: audio ? 'audio/ogg; codecs=opus' : body?.mimetype, ...(audio ? { ptt: true } : {}) } },
          messageType: type,
          messageTimestamp: Math.floor(Date.now() / 1000),
          instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          source: 'web',
        },
      };
    }
    if (method === 'POST' && path.startsWith('/message/sendText/')) {
      const id = `3EB0${(++counter).toString(16).toUpperCase().padStart(16, '0')}`;
      return {
        status: 201,
        body: {
          key: { remoteJid: `${body.number}@s.whatsapp.net`, fromMe: true, id },
          pushName: 'Você',
          status: 'PENDING',
          message: { conversation: body.text },
          messageType: 'conversation',
          messageTimestamp: Math.floor(Date.now() / 1000),
          instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          source: 'web',
        },
      };
    }
    return { status: 404, body: { status: 404, error: 'Not Found', response: { message: [`Cannot ${method} ${path}`] } } };
  }
}
