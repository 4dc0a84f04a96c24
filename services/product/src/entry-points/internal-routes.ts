import { Router } from 'express';
import { AppError, validated } from '@stackdrill/kit';
import { z } from 'zod';
import { InsufficientStock } from '../data-access/inventory-ledger.ts';
import type { ProductDomain } from '../domain/products.ts';

/**
 * Service-to-service routes (behind the API key, not part of the public API): the order service
 * reserves stock here, and gives back what an abandoned order held. A reservation id makes a
 * retried call harmless.
 */
export function internalRoutes(domain: ProductDomain): Router {
  const router = Router();
  router.post(
    '/reservations',
    validated(
      {
        body: z.strictObject({
          reservationId: z.uuid(),
          lines: z
            .array(z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(1000) }))
            .min(1)
            .max(50),
        }),
      },
      async ({ body }, _req, res) => {
        try {
          res.json({ lines: await domain.reserve(body.reservationId, body.lines) });
        } catch (error) {
          if (error instanceof InsufficientStock) {
            throw new AppError(409, 'INSUFFICIENT_STOCK', error.message, {
              productId: error.productId,
              available: error.available,
            });
          }
          throw error;
        }
      },
    ),
  );
  router.post(
    '/reservations/:id/release',
    validated({ params: z.strictObject({ id: z.uuid() }) }, async ({ params }, _req, res) => {
      res.json({ released: await domain.release(params.id) });
    }),
  );
  return router;
}
