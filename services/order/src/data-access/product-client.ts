import { API_KEY_HEADER, AppError, traceHeaders } from '@stackdrill/kit';
import type { OrderLine } from './order-store.ts';

/** Calls the product service's internal API (service-to-service, with the API key). */
export class ProductClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  /** Reserves every line or none; returns the lines priced by the catalogue. Retrying with the same id is harmless. */
  async reserve(
    reservationId: string,
    lines: { productId: string; quantity: number }[],
  ): Promise<OrderLine[]> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/internal/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [API_KEY_HEADER]: this.apiKey, ...traceHeaders() },
        body: JSON.stringify({ reservationId, lines }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw AppError.unavailable('the product service');
    }
    const body = (await response.json().catch(() => ({}))) as {
      lines?: OrderLine[];
      code?: string;
      message?: string;
      details?: unknown;
    };
    if (response.ok && body.lines) return body.lines;
    if (response.status === 409) {
      throw new AppError(
        409,
        body.code ?? 'INSUFFICIENT_STOCK',
        body.message ?? 'a product cannot be reserved',
        body.details,
      );
    }
    // The order names a product the catalogue does not have: like short stock, a conflict with the
    // catalogue's state (the order itself is not what is missing, so not 404).
    if (response.status === 404) {
      throw new AppError(409, 'UNKNOWN_PRODUCT', body.message ?? 'a product of the order does not exist');
    }
    if (response.status === 503) throw AppError.unavailable('the product service');
    throw new Error(`product service answered ${response.status} to a reservation: ${JSON.stringify(body)}`);
  }

  /** Gives back what a reservation holds; harmless to repeat. */
  async release(reservationId: string): Promise<{ productId: string; quantity: number }[]> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/internal/reservations/${reservationId}/release`, {
        method: 'POST',
        headers: { [API_KEY_HEADER]: this.apiKey, ...traceHeaders() },
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw AppError.unavailable('the product service');
    }
    const body = (await response.json().catch(() => ({}))) as {
      released?: { productId: string; quantity: number }[];
    };
    if (response.ok && body.released) return body.released;
    throw new Error(`product service answered ${response.status} to releasing reservation ${reservationId}`);
  }
}
