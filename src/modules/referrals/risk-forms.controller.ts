import { Controller, Get, Headers, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { ReferralsService } from './referrals.service.js';

type Language = 'fi' | 'sv' | 'en';

function language(header: string | undefined): Language {
  for (const part of (header ?? '').split(',')) {
    const tag = part.split(';')[0].trim().slice(0, 2).toLowerCase();
    if (tag === 'fi' || tag === 'sv' || tag === 'en') return tag;
  }
  return 'fi';
}

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('risk-forms')
export class RiskFormsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Get()
  @RequirePermission('referrals:create')
  list(@Headers('accept-language') acceptLanguage?: string) {
    const lang = language(acceptLanguage);
    return this.referrals.forms.list().map((f) => ({ code: f.code, version: f.version, title: f.title[lang], threshold: f.threshold, questionCount: f.questionCount }));
  }

  @Get(':code')
  @RequirePermission('referrals:create')
  get(@Param('code') code: string, @Headers('accept-language') acceptLanguage?: string) {
    const form = /^[a-z0-9-]{1,40}$/.test(code) ? this.referrals.forms.latest(code) : undefined;
    if (!form) throw Problem.notFound('The risk form');
    const lang = language(acceptLanguage);
    return {
      code: form.code,
      version: form.version,
      title: form.title[lang],
      threshold: form.threshold,
      questions: form.questions.map((q) => ({ id: q.id, text: q.text[lang], category: q.category })),
    };
  }
}
