/** How botdb writes numbers for people: sizes, counts, shares and durations, the same everywhere. */
package dev.botdb.text;
