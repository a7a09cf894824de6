import { CodeActionFeature } from './code-actions/code-actions';
import type { Feature } from './feature';
import { HoverFeature } from './hover/hover';
import { LastRequestCommand } from './last-request/last-request';
import { ReviewFeature } from './review/review';
import type { Services } from './services';
import { UsageCommand } from './usage/usage-command';

/**
 * Every feature the server offers, in the order their document events run. Adding a feature
 * is a folder of its own and one line here.
 */
export function createFeatures(s: Services): Feature[] {
  const review = new ReviewFeature(s);
  return [
    new HoverFeature(s),
    review,
    // Offers the review's findings as instant quick fixes, besides the AI actions.
    new CodeActionFeature(s, review),
    new UsageCommand(s),
    new LastRequestCommand(s),
  ];
}
