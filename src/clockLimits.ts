import { z } from 'zod';

/** The longest delay a Node timer honours (2³¹ − 1 ms, about 24.8 days); longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration in ms that a timer can wait: positive and at most MAX_TIMER_MS. */
export const timerMsSchema = z.number().positive().max(MAX_TIMER_MS);
