import { DestroyRef, Injectable, inject, signal } from '@angular/core';

/**
 * A coarse "now" signal so relative times (Today / Yesterday, HH:mm) roll over without a reload.
 * Ticks every 30 s; computed values that read it re-evaluate only when it changes.
 */
@Injectable({ providedIn: 'root' })
export class ClockService {
  private readonly nowSignal = signal(Date.now());
  readonly now = this.nowSignal.asReadonly();

  constructor() {
    const id = setInterval(() => this.nowSignal.set(Date.now()), 30_000);
    inject(DestroyRef).onDestroy(() => clearInterval(id));
  }
}
