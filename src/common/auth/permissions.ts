import { SetMetadata } from '@nestjs/common';

/**
 * Every route declares the one permission it needs (or `@Public()`); the global guard refuses
 * any route that declares neither (default deny). A permission says which roles may call the
 * route at all; whether this user may touch this object is the owning module's policy.
 */
export const PERMISSIONS = {
  // administration (admin)
  'agencies:manage': ['admin'],
  'agencies:read': ['admin', 'coordinator', 'chair'],
  'users:manage': ['admin'],
  'groups:manage': ['admin'],
  'groups:read': ['admin', 'coordinator', 'chair', 'agency_rep', 'referrer', 'analyst'],
  'groups:configure': ['admin', 'coordinator'],
  // the signed-in user themself
  'self': ['admin', 'coordinator', 'chair', 'agency_rep', 'referrer', 'analyst'],
  // audit and data subjects' rights (admin)
  'audit:read': ['admin'],
  'audit:verify': ['admin'],
  'people:access-log': ['admin'],
  // operations
  'notifications:read': ['admin', 'coordinator'],
  'queues:admin': ['admin'],
  'test-clock:use': ['admin'],
  // case work (object-level policies decide further)
  'referrals:create': ['coordinator', 'chair', 'agency_rep', 'referrer'],
  'referrals:read': ['coordinator', 'chair', 'agency_rep', 'referrer'],
  'referrals:triage': ['coordinator'],
  'cases:read': ['coordinator', 'chair', 'agency_rep', 'referrer'],
  'cases:manage': ['coordinator', 'chair'],
  'cases:victim-views': ['coordinator', 'chair', 'agency_rep', 'referrer'],
  'conferences:read': ['coordinator', 'chair', 'agency_rep'],
  'conferences:manage': ['coordinator', 'chair'],
  'conferences:chair': ['chair'],
  'actions:read': ['coordinator', 'chair', 'agency_rep'],
  'actions:respond': ['agency_rep'],
  'actions:manage': ['coordinator', 'chair'],
  'statistics:read': ['coordinator', 'chair', 'analyst'],
  'statistics:read-deployment': ['analyst'],
} as const satisfies Record<string, readonly string[]>;

export type Permission = keyof typeof PERMISSIONS;
export const REQUIRED_PERMISSION = 'marak:permission';

export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);
