import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { MessageView } from '@switchboard/contracts';

import { Ticks } from '../../shared/ticks.component';
import { formatBytes, formatClock, formatDuration, formatFullTimestamp } from '../../shared/time-format';
import { messageOrderKey } from '../inbox-merge';

interface ReactionChip {
  emoji: string;
  count: number;
  by: string;
}

type CardIcon = 'photo' | 'mic' | 'audio' | 'video' | 'document' | 'location' | 'contact' | 'call' | 'sticker' | 'task' | 'warning';

/** 24×24 glyphs and their accent colours for the placeholder cards. */
const ICONS: Record<CardIcon, { d: string; color: string }> = {
  photo: {
    d: 'M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5l3.5-4.5z',
    color: '#007bfc',
  },
  mic: {
    d: 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5.3-3a5.3 5.3 0 0 1-10.6 0H5c0 3.4 2.7 6.2 6 6.7V21h2v-3.3c3.3-.5 6-3.3 6-6.7z',
    color: '#e2711d',
  },
  audio: { d: 'M12 3v10.55A4 4 0 1 0 14 17V7h4V3h-6z', color: '#e2711d' },
  video: {
    d: 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z',
    color: '#d3396d',
  },
  document: { d: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9z', color: '#7f66ff' },
  location: {
    d: 'M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z',
    color: '#1a9e55',
  },
  contact: { d: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z', color: '#009de2' },
  call: {
    d: 'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z',
    color: '#1a9e55',
  },
  sticker: {
    d: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM8.5 9a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM12 17.5c-2.3 0-4.3-1.4-5.1-3.5h10.2c-.8 2.1-2.8 3.5-5.1 3.5z',
    color: '#c29a2b',
  },
  task: { d: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-2 15l-5-5 1.4-1.4 3.6 3.6 7.6-7.6L19 8z', color: '#1a9e55' },
  warning: { d: 'M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z', color: '#b7791f' },
};

interface MediaCard {
  icon: CardIcon;
  label: string;
  detail: string;
  href: string | null;
  linkText: string | null;
  image: string | null;
  audio: string | null;
}

/** One chat bubble: quoted reply, media card, body, time + ticks, reactions, failure + retry. */
@Component({
  selector: 'sb-message-bubble',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Ticks],
  host: {
    class: 'row',
    '[class.row--out]': 'outbound()',
    '[class.row--in]': 'inbound()',
    '[class.row--system]': 'system()',
    '[class.row--first]': 'first()',
  },
  template: `
    @let m = message();
    <div
      class="bubble"
      [class.bubble--out]="outbound()"
      [class.bubble--in]="inbound()"
      [class.bubble--system]="system()"
      [class.bubble--note]="m.kind === 'note'"
      [class.bubble--tail]="first() && !system()"
      [class.bubble--deleted]="deleted()"
      data-testid="message"
      [attr.data-message-id]="m.id"
      [attr.data-client-message-id]="m.clientMessageId"
      [attr.data-status]="m.status"
      [attr.data-direction]="m.direction"
      [attr.data-origin]="m.origin"
      [attr.data-kind]="m.kind"
    >
      @if (originLabel(); as label) {
        <div class="origin" data-testid="origin-label">{{ label }}</div>
      }

      @if (m.replyToId && !deleted()) {
        <button
          type="button"
          class="quote"
          [class.quote--missing]="!quoted()"
          [class.quote--out]="quoted()?.direction === 'outbound'"
          (click)="jumpTo.emit(m.replyToId)"
          [disabled]="!quoted()"
          data-testid="reply-quote"
        >
          <span class="quote__author">{{ quoteAuthor() }}</span>
          <span class="quote__text">{{ quoteText() }}</span>
        </button>
      }

      @if (deleted()) {
        <span class="tombstone" data-testid="tombstone">
          <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.4" />
            <path d="M3.8 12.2l8.4-8.4" stroke="currentColor" stroke-width="1.4" />
          </svg>
          This message was deleted
        </span>
      } @else {
        @if (media(); as card) {
          @if (card.image) {
            <a class="image" [href]="card.image" target="_blank" rel="noopener">
              <img [src]="card.image" [alt]="card.label" loading="lazy" width="260" height="200" />
            </a>
          } @else {
            <div class="card" data-testid="media-card">
              <span class="card__icon" aria-hidden="true">
                <svg viewBox="0 0 24 24" width="20" height="20">
                  <path [attr.d]="icons[card.icon].d" [attr.fill]="icons[card.icon].color" />
                </svg>
              </span>
              <span class="card__text">
                <span class="card__label">{{ card.label }}</span>
                @if (card.detail) {
                  <span class="card__detail">{{ card.detail }}</span>
                }
                @if (card.href) {
                  <a class="card__link" [href]="card.href" target="_blank" rel="noopener noreferrer">{{ card.linkText }}</a>
                }
              </span>
            </div>
            @if (card.audio) {
              <audio class="audio" controls preload="none" [src]="card.audio"></audio>
            }
          }
        }
        @if (m.body) {
          <span class="text" dir="auto">{{ m.body }}</span>
        }
        @if (m.transcript) {
          <span class="transcript"><span class="transcript__label">Transcript</span> {{ m.transcript }}</span>
        }
      }
      <span class="spacer" aria-hidden="true"></span>
      <span class="meta" [attr.title]="fullTime()">
        <span class="time">{{ time() }}</span>
        @if (outbound()) {
          <sb-ticks [status]="m.status" />
        }
      </span>
    </div>

    @if (reactions().length > 0) {
      <div class="reactions" data-testid="reactions">
        @for (r of reactions(); track r.emoji) {
          <span class="reaction" [attr.title]="r.by">
            {{ r.emoji }}
            @if (r.count > 1) {
              <span class="reaction__count">{{ r.count }}</span>
            }
          </span>
        }
      </div>
    }

    @if (m.status === 'failed' && outbound()) {
      <div class="failed" data-testid="message-error" role="alert">
        <span class="failed__text">{{ m.error?.message || 'Not sent' }}</span>
        <button type="button" class="failed__retry" data-testid="retry" (click)="retry.emit(m)">Retry</button>
      </div>
    }
  `,
  styleUrl: './message-bubble.component.css',
})
export class MessageBubble {
  readonly message = input.required<MessageView>();
  /** The replied-to message, when it is loaded. */
  readonly quoted = input<MessageView | null>(null);
  /** Name shown as author of the contact's messages in quotes. */
  readonly contactLabel = input('Contact');
  /** First message of a run from the same side: gets the bubble tail and extra spacing. */
  readonly first = input(false);

  readonly retry = output<MessageView>();
  readonly jumpTo = output<string>();

  protected readonly icons = ICONS;
  protected readonly outbound = computed(() => this.message().direction === 'outbound');
  protected readonly inbound = computed(() => this.message().direction === 'inbound');
  protected readonly system = computed(() => this.message().direction === 'system');
  protected readonly deleted = computed(() => this.message().deletedAt !== null);

  protected readonly originLabel = computed(() => {
    const m = this.message();
    if (m.kind === 'note') return 'Internal note';
    if (m.direction !== 'outbound') return null;
    if (m.origin === 'device') return 'from phone';
    if (m.origin === 'assistant') return 'Assistant';
    return null;
  });

  protected readonly time = computed(() => formatClock(new Date(messageOrderKey(this.message()))));
  protected readonly fullTime = computed(() => {
    const m = this.message();
    return formatFullTimestamp(m.sentAt ?? m.createdAt);
  });

  protected readonly quoteAuthor = computed(() => {
    const q = this.quoted();
    if (!q) return 'Reply';
    return q.direction === 'outbound' ? 'You' : this.contactLabel();
  });

  protected readonly quoteText = computed(() => {
    const q = this.quoted();
    if (!q) return 'Original message not loaded';
    if (q.deletedAt) return 'This message was deleted';
    return q.body || cardFor(q)?.label || 'Message';
  });

  protected readonly media = computed(() => cardFor(this.message()));

  protected readonly reactions = computed<ReactionChip[]>(() => {
    const groups = new Map<string, ReactionChip>();
    for (const r of this.message().reactions ?? []) {
      if (!r.emoji) continue;
      const who = r.by === 'agent' ? 'You' : r.by === 'device' ? 'Phone' : r.by;
      const g = groups.get(r.emoji);
      if (g) {
        g.count++;
        g.by += `, ${who}`;
      } else groups.set(r.emoji, { emoji: r.emoji, count: 1, by: who });
    }
    return [...groups.values()];
  });
}

function osmLink(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
}

/** The placeholder card for a non-text kind (or null for plain text). */
function cardFor(m: MessageView): MediaCard | null {
  const media = m.media;
  const url = media?.url ?? null;
  const base: MediaCard = { icon: 'photo', label: '', detail: '', href: null, linkText: null, image: null, audio: null };
  if (media?.downloadError && url) {
    // Every retry to fetch the file from the provider failed: say so; opening it tries again.
    const icon: MediaCard['icon'] =
      m.kind === 'video'
        ? 'video'
        : m.kind === 'voice'
          ? 'mic'
          : m.kind === 'audio'
            ? 'audio'
            : m.kind === 'document'
              ? 'document'
              : 'photo';
    return {
      ...base,
      icon,
      label: media.fileName || 'File not downloaded',
      detail: `Could not download: ${media.downloadError}`,
      href: url,
      linkText: 'Try again',
    };
  }
  switch (m.kind) {
    case 'text':
    case 'template':
      return null;
    case 'image':
      return { ...base, icon: 'photo', label: 'Photo', detail: formatBytes(media?.size), image: url };
    case 'sticker':
      return { ...base, icon: 'sticker', label: 'Sticker', image: url };
    case 'video':
      return {
        ...base,
        icon: 'video',
        label: 'Video',
        detail: [formatDuration(media?.durationSec), formatBytes(media?.size)].filter(Boolean).join(' · '),
        href: url,
        linkText: url ? 'Open video' : null,
      };
    case 'voice':
    case 'audio': {
      const duration = formatDuration(media?.durationSec);
      const label = m.kind === 'voice' ? 'Voice note' : 'Audio';
      return { ...base, icon: m.kind === 'voice' ? 'mic' : 'audio', label: duration ? `${label} ${duration}` : label, audio: url };
    }
    case 'document': {
      const name = media?.fileName || 'Document';
      const detail = [media?.mimeType?.split('/').pop()?.toUpperCase(), formatBytes(media?.size)].filter(Boolean).join(' · ');
      return { ...base, icon: 'document', label: name, detail, href: url, linkText: url ? 'Download' : null };
    }
    case 'location': {
      const loc = m.location;
      if (!loc) return { ...base, icon: 'location', label: 'Location' };
      const coords = `${loc.latitude.toFixed(5)}, ${loc.longitude.toFixed(5)}`;
      return {
        ...base,
        icon: 'location',
        label: loc.name || loc.address || 'Location',
        detail: loc.name && loc.address ? `${loc.address} · ${coords}` : coords,
        href: osmLink(loc.latitude, loc.longitude),
        linkText: 'Open in OpenStreetMap',
      };
    }
    case 'contact':
      return { ...base, icon: 'contact', label: 'Contact card' };
    case 'call':
      return { ...base, icon: 'call', label: 'Call' };
    case 'task':
      return { ...base, icon: 'task', label: 'Task' };
    case 'note':
      return null;
    case 'unsupported':
      return { ...base, icon: 'warning', label: 'Unsupported message', detail: 'Open WhatsApp on the phone to view it' };
  }
}
