import { Module } from '@nestjs/common';
import { AndroidSmsProvider } from './android-sms/android-sms.provider';
import { EvolutionProvider } from './evolution/evolution.provider';
import { MockNetwork } from './mock/mock-network';
import { MockProvider } from './mock/mock.provider';
import { MetaProvider } from './meta/meta.provider';
import { ProvidersRegistry } from './providers.registry';
import { TwilioProvider } from './twilio/twilio.provider';
import { WahaProvider } from './waha/waha.provider';

@Module({
  providers: [
    MockProvider,
    MockNetwork,
    EvolutionProvider,
    WahaProvider,
    MetaProvider,
    TwilioProvider,
    AndroidSmsProvider,
    ProvidersRegistry,
  ],
  exports: [ProvidersRegistry],
})
export class ProvidersModule {}
