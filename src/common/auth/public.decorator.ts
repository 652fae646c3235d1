import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'marak:public';

/**
 * Marks a route that needs no authentication (health, metrics scrape, API docs). Every other
 * route must declare a permission once the identity module's default-deny guard is in place.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
