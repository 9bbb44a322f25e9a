/* version.h - the version of asbuilt. */
#ifndef ASBUILT_VERSION_H
#define ASBUILT_VERSION_H
#define ASBUILT_VERSION "0.1.0"
#endif
