import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';

import { ChannelCard } from './channel-card.component';
import { ChannelForm } from './channel-form.component';
import { SettingsStore } from './settings.store';
import { EMPTY_PANEL } from './settings.types';

/** /settings: the admin's channels, each a live card, with the add / edit form in place. */
@Component({
  selector: 'sb-settings-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ChannelCard, ChannelForm],
  host: { 'data-testid': 'settings-page' },
  template: `
    <div class="wrap">
      <header class="head">
        <div>
          <h1 class="title">Channels</h1>
          <p class="lead">The WhatsApp and SMS accounts the inbox sends and receives through. States update live.</p>
        </div>
        @if (editor()?.mode !== 'add') {
          <button type="button" class="sb-button sb-button--primary" data-testid="add-channel" (click)="store.openAdd()">
            Add channel
          </button>
        }
      </header>

      @if (editor()?.mode === 'add') {
        <sb-channel-form
          [busy]="store.formBusy()"
          [error]="store.formError()"
          [testResult]="store.formTest()"
          (save)="store.saveDraft($event)"
          (test)="store.testDraft($event)"
          (cancel)="store.closeForm()"
          (providerChanged)="store.clearFormResult()"
        />
      }

      @if (store.loadError(); as message) {
        <p class="load-error" role="alert" data-testid="settings-load-error">
          Could not load the channels: {{ message }}
          <button type="button" class="sb-button" (click)="store.init()">Retry</button>
        </p>
      }

      <section class="list" aria-label="Channels" [attr.aria-busy]="store.loading()">
        @for (c of store.channels(); track c.id) {
          @if (editingId() === c.id) {
            <sb-channel-form
              [channel]="c"
              [busy]="store.formBusy()"
              [error]="store.formError()"
              (save)="store.saveDraft($event)"
              (cancel)="store.closeForm()"
            />
          } @else {
            <sb-channel-card
              [channel]="c"
              [panel]="store.panels().get(c.id) ?? emptyPanel"
              [historySync]="store.historySyncs().get(c.id) ?? null"
              (testConnection)="store.testConnection(c.id)"
              (registerWebhook)="store.registerWebhook(c.id)"
              (sendTest)="store.sendTestMessage(c.id, $event)"
              (syncHistory)="store.syncHistory(c.id, $event)"
              (refreshTemplates)="store.refreshTemplates(c.id)"
              (edit)="store.openEdit(c.id)"
            />
          }
        } @empty {
          @if (store.loading()) {
            <p class="empty">Loading channels…</p>
          } @else if (!store.loadError()) {
            <p class="empty">No channel yet. Add one to start receiving messages.</p>
          }
        }
      </section>
    </div>
  `,
  styles: `
    :host {
      display: block;
      height: 100%;
      overflow-y: auto;
      background: var(--sb-panel-header);
    }
    .wrap {
      max-width: 960px;
      margin: 0 auto;
      padding: 24px 20px 48px;
    }
    .head {
      display: flex;
      align-items: flex-end;
      justify-content: space-between;
      gap: 16px;
      margin-bottom: 16px;
    }
    .title {
      margin: 0;
      font-size: 22px;
      font-weight: 600;
    }
    .lead {
      margin: 4px 0 0;
      color: var(--sb-text-2);
    }
    .list {
      display: flex;
      flex-direction: column;
      gap: 16px;
      margin-top: 16px;
    }
    .empty {
      padding: 24px;
      text-align: center;
      color: var(--sb-text-3);
    }
    .load-error {
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 10px 14px;
      border-radius: 8px;
      background: #fdecef;
      color: #8a1a2e;
    }
  `,
})
export class SettingsPage {
  protected readonly store = inject(SettingsStore);
  protected readonly editor = this.store.editor;
  protected readonly emptyPanel = EMPTY_PANEL;
  protected readonly editingId = computed(() => {
    const e = this.editor();
    return e?.mode === 'edit' ? e.channelId : null;
  });

  constructor() {
    void this.store.init();
  }
}
