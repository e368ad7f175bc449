import { Injectable } from '@nestjs/common';
import type { ProviderKind } from '@switchboard/contracts';
import { AndroidSmsProvider } from './android-sms/android-sms.provider';
import { EvolutionProvider } from './evolution/evolution.provider';
import { MetaProvider } from './meta/meta.provider';
import { MockProvider } from './mock/mock.provider';
import type { Provider } from './provider.types';
import { TwilioProvider } from './twilio/twilio.provider';
import { WahaProvider } from './waha/waha.provider';

/** The one list of adapters. A new provider is one folder plus one line here. */
@Injectable()
export class ProvidersRegistry {
  private readonly byKind: ReadonlyMap<string, Provider>;

  constructor(
    mock: MockProvider,
    evolution: EvolutionProvider,
    waha: WahaProvider,
    meta: MetaProvider,
    twilio: TwilioProvider,
    androidSms: AndroidSmsProvider,
  ) {
    this.byKind = new Map<string, Provider>([mock, evolution, waha, meta, twilio, androidSms].map((p) => [p.kind, p]));
  }

  kinds(): ProviderKind[] {
    return [...this.byKind.keys()] as ProviderKind[];
  }

  has(kind: string): kind is ProviderKind {
    return this.byKind.has(kind);
  }

  get(kind: ProviderKind): Provider {
    const p = this.byKind.get(kind);
    if (!p) throw new Error(`no adapter for provider ${kind}`);
    return p;
  }
}
