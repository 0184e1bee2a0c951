/* world_help.h - help topics for the prompt (`:help TOPIC`): the policy
 * concepts Clusim models and the language ideas a newcomer asks about, each
 * a few lines with a one-line example.  Built-ins, statements, rules and
 * params have their own help (interp_help, repl.c); a topic that is also
 * one of those (funding_cliff is a rule) shows both. */
#ifndef CLUSIM_WORLD_HELP_H
#define CLUSIM_WORLD_HELP_H

#include "common.h"

typedef struct {
  const char *name;    /* as typed after :help */
  const char *aliases; /* other names, space-separated ("gber art27") */
  const char *title;   /* one line */
  const char *text;    /* a few lines, each ending in \n; the last is "Example: ..." */
} HelpTopic;

/* The topics, ending with one whose name is NULL. */
extern const HelpTopic help_topics[];

/* The topic `name` or one of its aliases names, NULL if none.  Case, and
 * spaces or hyphens for underscores, do not matter ("Critical mass",
 * "de-minimis"). */
const HelpTopic *help_topic_find(const char *name);

#endif
