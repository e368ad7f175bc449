import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

const PALETTE = ['#5b8def', '#00a884', '#e57c4a', '#a06cd5', '#d4557a', '#3a9fb5', '#c29a2b', '#6b8e4e'];

/** Initials from a display name: first letters of the first and last words (letters/digits only). */
export function initialsOf(name: string | null | undefined): string {
  if (!name) return '';
  const words = name
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((w) => w.length > 0 && /\p{L}/u.test(w));
  if (words.length === 0) return '';
  const first = [...words[0]][0] ?? '';
  const last = words.length > 1 ? ([...words[words.length - 1]][0] ?? '') : '';
  return (first + last).toUpperCase();
}

function colourFor(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length];
}

/** Round avatar: coloured initials, or a neutral person/phone glyph when there is no name. */
@Component({
  selector: 'sb-avatar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'avatar',
    'aria-hidden': 'true',
    '[style.width.px]': 'size()',
    '[style.height.px]': 'size()',
    '[style.font-size.px]': 'size() * 0.4',
    '[style.background]': 'initials() ? colour() : "#dfe5e7"',
  },
  template: `
    @if (initials()) {
      {{ initials() }}
    } @else {
      <svg viewBox="0 0 24 24" width="55%" height="55%" fill="#8696a0" aria-hidden="true">
        <path
          d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"
        />
      </svg>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      flex: none;
      border-radius: 50%;
      color: #fff;
      font-weight: 600;
      letter-spacing: 0.02em;
      user-select: none;
    }
  `,
})
export class Avatar {
  readonly name = input<string | null>(null);
  readonly seed = input<string>('');
  readonly size = input<number>(48);

  protected readonly initials = computed(() => initialsOf(this.name()));
  protected readonly colour = computed(() => colourFor(this.seed() || this.name() || ''));
}
