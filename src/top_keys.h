/* pytrace top's keys: a thread that reads the terminal and turns bytes into
 * actions, and notices a resized window.  The callback runs on that thread. */
#ifndef PYTRACE_TOP_KEYS_H
#define PYTRACE_TOP_KEYS_H

enum top_key {
	TOP_KEY_NONE,
	TOP_KEY_SORT_CALLS,   /* c */
	TOP_KEY_SORT_TOTAL,   /* t */
	TOP_KEY_SORT_SELF,    /* s */
	TOP_KEY_PAUSE,        /* p or space: pause / resume */
	TOP_KEY_QUIT,         /* q, Ctrl-C, Ctrl-D */
	TOP_KEY_RESIZE,       /* the window changed size */
	TOP_KEY_REDRAW,       /* Ctrl-L */
};

/* The action of one byte typed (TOP_KEY_NONE: no action). */
enum top_key top_key_of(unsigned char c);

struct top_keys;
typedef void (*top_key_fn)(void *arg, enum top_key key);

/* Read standard input until top_keys_stop; NULL when no thread could start. */
struct top_keys *top_keys_start(top_key_fn fn, void *arg);
void top_keys_stop(struct top_keys *k);

#endif
