import type { Routes } from '@angular/router';

import { Inbox } from './inbox/inbox.component';

/**
 * `/` is the inbox (its open conversation lives in the `#/t/<id>` fragment, see Inbox);
 * `/settings` is the admin's channel page, loaded on first visit so the inbox starts as light as before.
 */
export const routes: Routes = [
  { path: '', pathMatch: 'full', component: Inbox },
  {
    path: 'settings',
    loadComponent: () => import('./settings/settings-page.component').then((m) => m.SettingsPage),
  },
  { path: '**', redirectTo: '' },
];
