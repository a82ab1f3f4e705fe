/* paths.h - where ismsd keeps its socket and state when the configuration
 * does not say: shared by the daemon and by ismsctl, which talks to it. */
#ifndef ISMS_PATHS_H
#define ISMS_PATHS_H

#define ISMSD_DEFAULT_SOCKET "/run/ismsd/ismsd.sock"
#define ISMSD_DEFAULT_STATE  "/var/lib/ismsd"

#endif
