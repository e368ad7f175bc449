import { Module } from '@nestjs/common';
import { EvolutionProvider } from './evolution/evolution.provider';
import { MockNetwork } from './mock/mock-network';
import { MockProvider } from './mock/mock.provider';
import { MetaProvider } from './meta/meta.provider';
import { ProvidersRegistry } from './providers.registry';
import { WahaProvider } from './waha/waha.provider';

@Module({
  providers: [MockProvider, MockNetwork, EvolutionProvider, WahaProvider, MetaProvider, ProvidersRegistry],
  exports: [ProvidersRegistry],
})
export class ProvidersModule {}
