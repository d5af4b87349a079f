// The library's one error type is part of the public API
// (include/signprep/error.h); layers include it from here.
#pragma once

#include "signprep/error.h"
